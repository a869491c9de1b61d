using Atlas.Pipeline.Specs;

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
    public static string Addition(CompositionMethod method) => $"addition/{SpecNames.Of(method)}";
    public static string Negation(string target) => $"negation/{target}";
    public static string FewShot(string target) => $"fewshot/{target}";
    public static string TestTime(string target) => $"tta/{target}";
    public static string BlockSelection(string target) => $"selection/{target}";
    public static string Peft(string target) => $"peft/{target}";

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
