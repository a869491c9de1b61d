namespace Atlas.Stages;

/// <summary>Ids of the foundation stages (also their artifact folders) and the seed derivation; each experiment
/// family's stage class names its own ids (<c>AdditionStage.IdOf</c>…).</summary>
public static class StageIds
{
    public const string Data = "data";
    public const string Pretrain = "pretrain";
    public const string Report = "report";

    /// <summary>The checked copy of a spec's <c>pretrained_checkpoint</c>, in place of <see cref="Pretrain"/>.</summary>
    public const string ImportPretrained = "import/pretrained";

    /// <summary>The image tower of a task's <c>finetuned_checkpoint</c>, in place of <see cref="FineTune"/>.</summary>
    public static string ImportFineTune(string task) => $"import_finetune/{task}";

    /// <summary>The checked copy of a task's <c>task_vector_file</c>, in place of <see cref="TaskVector"/> (and its fine-tune).</summary>
    public static string ImportTaskVector(string task) => $"import_taskvector/{task}";

    /// <summary>The reading of one of the paper's datasets (<see cref="PaperDataStage"/>).</summary>
    public static string Dataset(string name) => $"dataset/{name}";

    public static string Head(string task) => $"heads/{task}";
    public static string FineTune(string task) => $"finetune/{task}";
    public static string TaskVector(string task) => $"taskvector/{task}";
    public static string Evaluate(string task) => $"evaluate/{task}";

    /// <summary>LoRA fine-tuning of a pool task (only when a PEFT spec composes LoRA task vectors).</summary>
    public static string LoraFineTune(string task) => $"finetune_lora/{task}";

    /// <summary>The LoRA task vector of a pool task (only when a PEFT spec composes LoRA task vectors).</summary>
    public static string LoraTaskVector(string task) => $"taskvector_lora/{task}";

    /// <summary>A stage's family: its id's first segment (<c>finetune/mnist</c> → <c>finetune</c>, <c>data</c> → <c>data</c>),
    /// the unit of the spec's per-family Slurm resources.</summary>
    public static string FamilyOf(string stageId) => stageId.Split('/')[0];

    /// <summary>Every stage family of this build, from the id of one stage of each (a test checks that every stage of the
    /// shipped specs' graphs belongs to one).</summary>
    public static IReadOnlyList<string> Families { get; } =
    [
        .. new[]
        {
            Data, Dataset("_"), Pretrain, ImportPretrained, ImportFineTune("_"), ImportTaskVector("_"), Head("_"), FineTune("_"),
            TaskVector("_"), Evaluate("_"), LoraFineTune("_"), LoraTaskVector("_"), Addition.AdditionStage.IdOf(default),
            Negation.NegationStage.IdOf("_"), FewShot.FewShotStage.IdOf("_"), TestTime.TestTimeStage.IdOf("_"),
            BlockSelection.BlockSelectionStage.IdOf("_"), Peft.PeftStage.IdOf("_"), Report,
        }.Select(FamilyOf).Distinct(),
    ];

    /// <summary>
    /// A child seed: the parent seed (the experiment's, or a stage's for its sub-streams) mixed with a stable hash of
    /// an id (FNV-1a), so adding a stage or a source never shifts the seeds of the others.
    /// </summary>
    public static long Seed(long parentSeed, string id)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in id) hash = (hash ^ c) * 1099511628211UL;
        return (long)((hash ^ (ulong)parentSeed * 0x9E3779B97F4A7C15UL) >> 1);
    }
}
