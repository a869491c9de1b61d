namespace Atlas.Stages;

/// <summary>Stage ids (also their artifact folders) and the phase each belongs to.</summary>
public static class StageIds
{
    public const string Data = "data";
    public const string Pretrain = "pretrain";
    public const string Report = "report";

    public static string Head(string task) => $"heads/{task}";
    public static string FineTune(string task) => $"finetune/{task}";
    public static string TaskVector(string task) => $"taskvector/{task}";
    public static string Evaluate(string task) => $"evaluate/{task}";

    /// <summary>A stage's own seed: the experiment seed mixed with a stable hash of the stage id (FNV-1a).</summary>
    public static long Seed(int experimentSeed, string stageId)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in stageId) hash = (hash ^ c) * 1099511628211UL;
        return (long)((hash ^ (ulong)experimentSeed * 0x9E3779B97F4A7C15UL) >> 1);
    }
}
