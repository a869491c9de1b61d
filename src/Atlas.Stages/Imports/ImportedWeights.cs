using Atlas.Pipeline.Specs;

namespace Atlas.Stages.Imports;

/// <summary>
/// Which computed weights a spec replaces with files it names: the pretrained CLIP (<c>pretrained_checkpoint</c>), and
/// per task the fine-tuned image tower (<c>finetuned_checkpoint</c>) or the task vector (<c>task_vector_file</c>).
/// <see cref="ArtifactLayout"/> reads it to point consumers at the import stages' outputs.
/// </summary>
/// <param name="Pretrained">Whether the pretrained weights come from <c>import/pretrained</c>.</param>
/// <param name="FineTuned">Tasks whose fine-tuned tower comes from <c>import_finetune/TASK</c>.</param>
/// <param name="TaskVectors">Tasks whose task vector comes from <c>import_taskvector/TASK</c>.</param>
public sealed record ImportedWeights(bool Pretrained, IReadOnlySet<string> FineTuned, IReadOnlySet<string> TaskVectors)
{
    /// <summary>Nothing imported: every weight is computed by the pipeline (the mini profile).</summary>
    public static ImportedWeights None { get; } = new(false, new HashSet<string>(), new HashSet<string>());

    /// <summary>What <paramref name="spec"/> imports.</summary>
    public static ImportedWeights Of(ExperimentSpec spec) => new(
        spec.PretrainedCheckpoint is not null,
        spec.Tasks.Where(t => t.FinetunedCheckpoint is not null).Select(t => t.Name).ToHashSet(StringComparer.Ordinal),
        spec.Tasks.Where(t => t.TaskVectorFile is not null).Select(t => t.Name).ToHashSet(StringComparer.Ordinal));
}
