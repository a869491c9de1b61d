using Atlas.Stages.Imports;

namespace Atlas.Stages;

/// <summary>
/// Where every artifact of an experiment lives, relative to the repository root: one folder per stage id under
/// <c>artifacts/&lt;experiment&gt;/</c>, each with its outputs and its <c>lock.json</c>. Weights the spec imports
/// (<paramref name="imports"/>) are the import stages' outputs, so their consumers read them where they are.
/// </summary>
public sealed class ArtifactLayout(string experimentName, ImportedWeights? imports = null)
{
    private readonly ImportedWeights imports = imports ?? ImportedWeights.None;

    public string ExperimentDir { get; } = Path.Combine("artifacts", experimentName);

    public string StageDir(string stageId) => Path.Combine(ExperimentDir, stageId);

    public string Lock(string stageId) => Path.Combine(StageDir(stageId), "lock.json");

    /// <summary>A file of a stage's folder: each stage names its own outputs through this (the family's stage class
    /// owns its file names, so a new family adds nothing here).</summary>
    public string StageFile(string stageId, string fileName) => Path.Combine(StageDir(stageId), fileName);

    public string Splits => Path.Combine(StageDir(StageIds.Data), "splits.json");

    public string PretrainedWeights =>
        Path.Combine(StageDir(imports.Pretrained ? StageIds.ImportPretrained : StageIds.Pretrain), "clip.safetensors");

    public string PretrainHistory => Path.Combine(StageDir(StageIds.Pretrain), "history.json");

    /// <summary>Resumable snapshot of an unfinished pretraining; removed when the stage completes.</summary>
    public string PretrainCheckpoint => Checkpoint(StageIds.Pretrain);

    public string Head(string task) => Path.Combine(StageDir(StageIds.Head(task)), "head.safetensors");

    public string FineTuned(string task) =>
        Path.Combine(StageDir(imports.FineTuned.Contains(task) ? StageIds.ImportFineTune(task) : StageIds.FineTune(task)), "visual.safetensors");

    public string FineTuneHistory(string task) => Path.Combine(StageDir(StageIds.FineTune(task)), "history.json");

    /// <summary>Resumable snapshot of an unfinished fine-tune; removed when the stage completes.</summary>
    public string FineTuneCheckpoint(string task) => Checkpoint(StageIds.FineTune(task));

    public string TaskVector(string task) =>
        Path.Combine(StageDir(imports.TaskVectors.Contains(task) ? StageIds.ImportTaskVector(task) : StageIds.TaskVector(task)), "task_vector.safetensors");

    /// <summary>The trained LoRA pairs (<c>…lora_A</c> / <c>…lora_B</c> by target weight name).</summary>
    public string LoraFineTuned(string task) => Path.Combine(StageDir(StageIds.LoraFineTune(task)), "lora.safetensors");

    public string LoraFineTuneHistory(string task) => Path.Combine(StageDir(StageIds.LoraFineTune(task)), "history.json");

    /// <summary>τ = (α/r)·B·A on the LoRA-adapted matrices, 0 on every other image-tower tensor, by parameter name.</summary>
    public string LoraTaskVector(string task) => Path.Combine(StageDir(StageIds.LoraTaskVector(task)), "task_vector.safetensors");

    public string Accuracy(string task) => Path.Combine(StageDir(StageIds.Evaluate(task)), "accuracy.json");

    /// <summary>Resumable snapshot of a stage's unfinished training; removed when the stage completes.</summary>
    public string Checkpoint(string stageId) => Path.Combine(StageDir(stageId), "checkpoint.safetensors");

    /// <summary>Finished runs of an unfinished many-run stage (<see cref="Composition.RunLedger{T}"/>); removed when the
    /// stage completes.</summary>
    public string RunLedger(string stageId) => Path.Combine(StageDir(stageId), "runs.partial.json");

    public string FiguresDir => Path.Combine(ExperimentDir, "figures");

    public string Figure(string name) => Path.Combine(FiguresDir, $"{name}.png");

    public string TablesDir => Path.Combine(ExperimentDir, "tables");

    public string Table(string name, string extension) => Path.Combine(TablesDir, $"{name}.{extension}");

    public string Report => Path.Combine(ExperimentDir, "report.md");

    /// <summary>The spec with every default filled in, written beside the results (Hydra's config dump).</summary>
    public string ResolvedSpec => Path.Combine(ExperimentDir, "spec.resolved.yaml");

    public string VerifyDir => Path.Combine(ExperimentDir, "verify");

    /// <summary>What a stage's process printed in its last run by an executor (<c>logs/finetune/mnist.log</c>): the
    /// place to look when it failed.</summary>
    public string StageLog(string stageId) => Path.Combine(LogsDir, stageId + ".log");

    /// <summary>Every stage log, and (in <c>slurm/</c>) what Slurm itself wrote about an array task.</summary>
    public string LogsDir => Path.Combine(ExperimentDir, "logs");

    /// <summary>The Slurm executor's batch scripts and its record of submitted jobs (<see cref="SlurmJobsRecord"/>).</summary>
    public string SlurmDir => Path.Combine(ExperimentDir, "slurm");

    /// <summary>Which job runs or ran each stage, so that a second submission attaches to a queued or running job
    /// instead of submitting its stage twice.</summary>
    public string SlurmJobsRecord => Path.Combine(SlurmDir, "jobs.json");
}
