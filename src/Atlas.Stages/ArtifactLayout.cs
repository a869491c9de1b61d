namespace Atlas.Stages;

/// <summary>
/// Where every artifact of an experiment lives, relative to the repository root: one folder per stage id under
/// <c>artifacts/&lt;experiment&gt;/</c>, each with its outputs and its <c>lock.json</c>.
/// </summary>
public sealed class ArtifactLayout(string experimentName)
{
    public string ExperimentDir { get; } = Path.Combine("artifacts", experimentName);

    public string StageDir(string stageId) => Path.Combine(ExperimentDir, stageId);

    public string Lock(string stageId) => Path.Combine(StageDir(stageId), "lock.json");

    public string Splits => Path.Combine(StageDir(StageIds.Data), "splits.json");

    public string PretrainedWeights => Path.Combine(StageDir(StageIds.Pretrain), "clip.safetensors");

    public string PretrainHistory => Path.Combine(StageDir(StageIds.Pretrain), "history.json");

    /// <summary>Resumable snapshot of an unfinished pretraining; removed when the stage completes.</summary>
    public string PretrainCheckpoint => Checkpoint(StageIds.Pretrain);

    public string Head(string task) => Path.Combine(StageDir(StageIds.Head(task)), "head.safetensors");

    public string FineTuned(string task) => Path.Combine(StageDir(StageIds.FineTune(task)), "visual.safetensors");

    public string FineTuneHistory(string task) => Path.Combine(StageDir(StageIds.FineTune(task)), "history.json");

    /// <summary>Resumable snapshot of an unfinished fine-tune; removed when the stage completes.</summary>
    public string FineTuneCheckpoint(string task) => Checkpoint(StageIds.FineTune(task));

    public string TaskVector(string task) => Path.Combine(StageDir(StageIds.TaskVector(task)), "task_vector.safetensors");

    public string Accuracy(string task) => Path.Combine(StageDir(StageIds.Evaluate(task)), "accuracy.json");

    /// <summary>Resumable snapshot of a stage's unfinished training; removed when the stage completes.</summary>
    public string Checkpoint(string stageId) => Path.Combine(StageDir(stageId), "checkpoint.safetensors");

    /// <summary>Finished runs of an unfinished many-run stage (<see cref="Adaptation.RunLedger{T}"/>); removed when the
    /// stage completes.</summary>
    public string RunLedger(string stageId) => Path.Combine(StageDir(stageId), "runs.partial.json");

    public string AdditionResult(Pipeline.Specs.CompositionMethod method) => Path.Combine(StageDir(StageIds.Addition(method)), "result.json");

    /// <summary>Learned Λ of a task-addition method, with task and block names (<c>safetensors</c> or <c>csv</c>).</summary>
    public string AdditionCoefficients(Pipeline.Specs.CompositionMethod method, string extension) =>
        Path.Combine(StageDir(StageIds.Addition(method)), $"coefficients.{extension}");

    public string NegationResult(string target) => Path.Combine(StageDir(StageIds.Negation(target)), "result.json");

    /// <summary>Learned Λ of a negation target (<c>safetensors</c> or <c>csv</c>).</summary>
    public string NegationCoefficients(string target, string extension) =>
        Path.Combine(StageDir(StageIds.Negation(target)), $"coefficients.{extension}");

    /// <summary>Every few-shot run of a target: k-shot indices, kept epoch and test accuracy per method.</summary>
    public string FewShotResult(string target) => Path.Combine(StageDir(StageIds.FewShot(target)), "result.json");

    /// <summary>Test-time adaptation of a target: test accuracy per objective and each run's diagnostics.</summary>
    public string TestTimeResult(string target) => Path.Combine(StageDir(StageIds.TestTime(target)), "result.json");

    /// <summary>Block selection of a target: per draw, the informativeness ranking and every budget's accuracy and cost.</summary>
    public string BlockSelectionResult(string target) => Path.Combine(StageDir(StageIds.BlockSelection(target)), "result.json");

    /// <summary>The PEFT comparison of a target: per data fraction and method, accuracy, parameters, step time, memory.</summary>
    public string PeftResult(string target) => Path.Combine(StageDir(StageIds.Peft(target)), "result.json");

    public string FiguresDir => Path.Combine(ExperimentDir, "figures");

    public string Figure(string name) => Path.Combine(FiguresDir, $"{name}.png");

    public string TablesDir => Path.Combine(ExperimentDir, "tables");

    public string Table(string name, string extension) => Path.Combine(TablesDir, $"{name}.{extension}");

    public string Report => Path.Combine(ExperimentDir, "report.md");

    /// <summary>The spec with every default filled in, written beside the results (Hydra's config dump).</summary>
    public string ResolvedSpec => Path.Combine(ExperimentDir, "spec.resolved.yaml");

    public string VerifyDir => Path.Combine(ExperimentDir, "verify");
}
