using System.Diagnostics;
using System.Globalization;
using Atlas.Data;
using Atlas.Method.Composition;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Composition;
using Atlas.Training;
using Atlas.Training.Composition;
using static TorchSharp.torch;

// The method's selection rules share their name with this folder's namespace.
using TaskVectorSelection = Atlas.Method.Composition.BlockSelection;

namespace Atlas.Stages.BlockSelection;

/// <summary>
/// aTLAS under a memory budget on one target (docs/method.md §M3.4). Per k-shot draw, one pass over the oversampled, augmented
/// shots accumulates the coefficient gradient at Λ = 0 for the full pool (one backward per batch, no update); its
/// magnitude ranks the task vectors, and for every budget n
/// <list type="bullet">
/// <item><c>blockwise</c>: block j of mixed vector i is block j of the task ranked i-th for that block;</item>
/// <item><c>whole</c>: the n task vectors with the highest mean informativeness;</item>
/// </list>
/// then Λ is learned on the n selected vectors as in few-shot (epoch chosen on validation) and tested. The full pool is
/// learned too, as the reference. Each run records the peak resident memory that building its vectors and training on
/// them added, so memory can be read against n.
/// </summary>
public sealed class BlockSelectionStage(string target, IReadOnlyList<string> pool) : TargetStage(target, pool)
{
    public const string FullPool = "full_pool";

    /// <summary>The stage id (and folder) of one target: <c>selection/TARGET</c>.</summary>
    public static string IdOf(string target) => $"selection/{target}";

    /// <summary>Block selection of a target: per draw, the informativeness ranking and every budget's accuracy and cost.</summary>
    public static string ResultPath(ArtifactLayout layout, string target) => layout.StageFile(IdOf(target), ResultFileName);

    public override string Id => IdOf(Target);
    public override bool RunsOnDevice => true;
    public override bool MeasuresProcessMemory => true;
    public override string Phase => "BlockSelection";
    public override string Description => $"aTLAS on {Target} with n of {Pool.Count} task vectors' blocks, ranked by gradient";

    protected override object Settings(ExperimentContext context) => Spec(context) with { Targets = [] };

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var spec = Spec(context);
        using var inputs = CompositionInputs.Load(context, Pool, [Target]);
        using var train = context.TaskData(context.Task(Target), SourceSplit.Train);
        var trainLabels = train.Labels.data<long>().ToArray();
        var ledger = new RunLedger<BlockSelectionDraw>(context.Absolute(context.Layout.RunLedger(Id)), run.Key, context.Log);
        var draws = new List<BlockSelectionDraw>();
        for (int draw = 0; draw < spec.Seeds; draw++)
        {
            ulong seed = unchecked((ulong)StageIds.Seed(run.Seed, $"draw{draw}"));
            int d = draw;
            draws.Add(ledger.GetOrRun($"draw{draw}", () =>
            {
                using var scope = NewDisposeScope();
                var set = FewShotSampler.Sample(trainLabels, spec.Shots, seed, (int)inputs.Tasks[0].Head.shape[0]);
                return RunDraw(context, spec, inputs, train, set, d, seed);
            }));
        }
        context.WriteJson(ResultPath(context.Layout, Target),
            new BlockSelectionResult(Target, Pool, spec.Shots, inputs.Tasks[0].Accuracy.ZeroShotTest, draws));
        ledger.Delete();
    }

    public static BlockSelectionResult Read(ExperimentContext context, string target) =>
        context.ReadJson<BlockSelectionResult>(ResultPath(context.Layout, target));

    private static BlockSelectionSpec Spec(ExperimentContext context) =>
        context.Spec.BlockSelection ?? throw new InvalidOperationException($"{context.SpecPath}: no block_selection section");

    private BlockSelectionDraw RunDraw(ExperimentContext context, BlockSelectionSpec spec, CompositionInputs inputs, ILabelledImageSet train,
        FewShotSet set, int draw, ulong seed)
    {
        var task = inputs.Tasks[0];
        var learn = spec.Learn;
        var (batches, stepsPerEpoch) = ShotBatches.For(train, set, learn, spec.MinBatchesPerEpoch, seed);
        var objective = new TaskBatches([(batches, task.Head)], context.Config);

        var memory = ResidentMemory.Start();
        long started = Stopwatch.GetTimestamp();
        double[,] informativeness;
        using (var layout = CoefficientLayout.Blockwise(inputs.Pool.BlockNames))
            informativeness = CoefficientInformativeness.AtZero(new ComposedModel(inputs.Pretrained, inputs.Pool, layout), stepsPerEpoch,
                objective.SummedCrossEntropy);
        double passMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        double? passPeak = memory.PeakAboveStartMiB;

        int poolSize = inputs.Pool.TaskCount;
        var runs = new List<BlockSelectionRun>
        {
            Learn(context, spec, inputs, objective, stepsPerEpoch, FullPool, inputs.Pool.WholeVectorTable([.. Enumerable.Range(0, poolSize)])),
        };
        foreach (var strategy in spec.Strategies)
            foreach (int budget in spec.Budgets)
                runs.Add(Learn(context, spec, inputs, objective, stepsPerEpoch, SpecNames.Of(strategy), strategy == BlockSelectionStrategy.Blockwise
                    ? TaskVectorSelection.Blockwise(informativeness, budget)
                    : inputs.Pool.WholeVectorTable(TaskVectorSelection.WholeVectors(informativeness, budget))));
        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{Id}] draw {draw}: {string.Join(", ", runs.Select(r => $"{r.Strategy} n={r.Budget} {r.TestAccuracy:F2}%"))}"));
        var table = Enumerable.Range(0, poolSize).Select(t => (IReadOnlyList<double>)
            [.. Enumerable.Range(0, inputs.Pool.BlockCount).Select(j => informativeness[t, j])]).ToList();
        return new BlockSelectionDraw(draw, seed, set.Positions, table, passMs, passPeak, runs);
    }

    /// <summary>Builds the selected task vectors, learns Λ on them and tests the best epoch; memory is measured from
    /// before the selected vectors exist (a budgeted run never holds more).</summary>
    /// <param name="sourceTask">[n, P]: the pool task of every block of every selected vector.</param>
    private BlockSelectionRun Learn(ExperimentContext context, BlockSelectionSpec spec, CompositionInputs inputs, TaskBatches objective,
        int stepsPerEpoch, string strategy, int[,] sourceTask)
    {
        using var scope = NewDisposeScope();
        var task = inputs.Tasks[0];
        var learn = spec.Learn;
        int budget = sourceTask.GetLength(0), steps = stepsPerEpoch * learn.Epochs;
        var sources = Enumerable.Range(0, budget).Select(i => (IReadOnlyList<string>)
            [.. Enumerable.Range(0, inputs.Pool.BlockCount).Select(j => inputs.Pool.TaskNames[sourceTask[i, j]])]).ToList();
        var memory = ResidentMemory.Start();
        using var selected = inputs.Pool.Mix([.. Enumerable.Range(0, budget).Select(i => $"selected{i}")], sourceTask);
        using var layout = CoefficientLayout.Blockwise(selected.BlockNames);
        var model = new ComposedModel(inputs.Pretrained, selected, layout);
        var initial = model.Initial();
        // Validation in training-size batches, so the peak is that of training.
        using var selection = task.ValidationSelection(stepsPerEpoch, model, initial, context, learn.Batch);
        var progress = new TrainingProgress($"{Id} {strategy} n={budget}", steps, TextWriter.Null);
        model.Train(initial, learn.Recipe(steps), (weights, step, micro) => objective.SummedCrossEntropy(weights, step, micro, learn.GradientAccumulation), progress, null, selection, learn.Regularizer());
        double? peak = memory.PeakAboveStartMiB;

        double accuracy;
        using (no_grad()) accuracy = task.AccuracyOf(model.Weights(selection.BestWeights[ComposedModel.CoefficientsKey]), task.Test, context);
        double vectorMiB = budget * inputs.Pool.ElementCount * sizeof(float) / (1024.0 * 1024.0);
        return new BlockSelectionRun(strategy, budget, sources, selection.BestEpoch, accuracy, vectorMiB, progress.MedianStepSeconds * 1000, peak);
    }
}
