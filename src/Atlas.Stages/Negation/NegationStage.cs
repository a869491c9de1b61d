using System.Globalization;
using Atlas.Method.Composition;
using Atlas.Pipeline.Specs;
using Atlas.Training;
using Atlas.Training.Composition;
using Atlas.Training.Selection;
using static TorchSharp.torch;

using Atlas.Stages.Composition;

namespace Atlas.Stages.Negation;

/// <summary>
/// Task negation of one target (docs/method.md §M4.1): make the model forget the target while a control task keeps at least a
/// fixed fraction of its zero-shot validation accuracy. aTLAS learns blockwise Λ [1, P] on the target's own vector with
/// −CE(target) + CE(control) on both validation splits, keeping the epoch with the lowest admissible target accuracy
/// and stopping once the control constraint breaks; the baseline is task arithmetic θ0 − α·τ with α chosen on
/// validation under the same constraint. Both are reported on the test splits.
/// </summary>
public sealed class NegationStage(NegationTarget target) : Stage
{
    /// <summary>The stage id (and folder) of one target: <c>negation/TARGET</c>.</summary>
    public static string IdOf(string target) => $"negation/{target}";

    public static string ResultPath(ArtifactLayout layout, string target) => layout.StageFile(IdOf(target), "result.json");

    /// <summary>Learned Λ of a target (<c>safetensors</c> or <c>csv</c>).</summary>
    public static string CoefficientsPath(ArtifactLayout layout, string target, string extension) =>
        layout.StageFile(IdOf(target), $"coefficients.{extension}");

    public override string Id => IdOf(target.Task);
    public override bool RunsOnDevice => true;
    public override string Phase => "Negation";
    public override string Description => $"negate {target.Task}, keeping {target.Control}";
    public override IReadOnlyList<string> DependsOn => CompositionInputs.Stages([target.Task], Evaluated);

    private IReadOnlyList<string> Evaluated => [target.Task, target.Control];

    public override object Parameters(ExperimentContext context)
    {
        var spec = Spec(context);
        return new
        {
            Target = target,
            Learn = Learn(spec),
            spec.ControlThreshold,
            spec.AlphaGrid,
            Data = CompositionInputs.DataParameters(context, Evaluated),
            context.Spec.Evaluate.Batch,
        };
    }

    public override IReadOnlyList<string> Inputs(ExperimentContext context) =>
        [.. CompositionInputs.Files(context, [target.Task], Evaluated), .. DataFiles(context)];

    public override IReadOnlyList<string> Outputs(ExperimentContext context) =>
    [
        ResultPath(context.Layout, target.Task),
        CoefficientsPath(context.Layout, target.Task, "safetensors"),
        CoefficientsPath(context.Layout, target.Task, "csv"),
    ];

    public override void Execute(ExperimentContext context, StageRun run)
    {
        var spec = Spec(context);
        var learn = Learn(spec);
        using var inputs = CompositionInputs.Load(context, [target.Task], Evaluated);
        var (targetTask, controlTask) = (inputs.Tasks[0], inputs.Tasks[1]);
        double threshold = spec.ControlThreshold * controlTask.Accuracy.ZeroShotVal;
        var zeroShot = new NegationScore(targetTask.Accuracy.ZeroShotVal, controlTask.Accuracy.ZeroShotVal,
            targetTask.Accuracy.ZeroShotTest, controlTask.Accuracy.ZeroShotTest);

        (double Target, double Control) Val(IReadOnlyDictionary<string, Tensor> weights) =>
            (targetTask.AccuracyOf(weights, targetTask.Val, context), controlTask.AccuracyOf(weights, controlTask.Val, context));
        NegationScore Score(IReadOnlyDictionary<string, Tensor> weights)
        {
            using var scope = NewDisposeScope();
            var (targetVal, controlVal) = Val(weights);
            return new NegationScore(targetVal, controlVal,
                targetTask.AccuracyOf(weights, targetTask.Test, context), controlTask.AccuracyOf(weights, controlTask.Test, context));
        }

        // Task arithmetic: the α with the lowest target accuracy among those that keep the control (α = 0 always does).
        var grid = new List<GridPoint>();
        var (alpha, _) = ScalingGrid.SelectBest(ScalingGrid.Linspace(spec.AlphaGrid.Start, spec.AlphaGrid.Stop, spec.AlphaGrid.Count), a =>
        {
            using var scope = NewDisposeScope();
            var weights = TaskArithmetic.Apply(inputs.Pretrained, inputs.Pool, -a);
            double control = controlTask.AccuracyOf(weights, controlTask.Val, context);
            // The target is only scored where the constraint holds: an inadmissible α can never be chosen.
            if (control < threshold)
            {
                grid.Add(new GridPoint(a, null, false, new Dictionary<string, double> { ["control"] = control }));
                return double.NegativeInfinity;
            }
            double targetAccuracy = targetTask.AccuracyOf(weights, targetTask.Val, context);
            grid.Add(new GridPoint(a, -targetAccuracy, true, new Dictionary<string, double> { ["target"] = targetAccuracy, ["control"] = control }));
            return -targetAccuracy;
        });
        NegationScore taskArithmetic;
        using (var scope = NewDisposeScope()) taskArithmetic = Score(TaskArithmetic.Apply(inputs.Pretrained, inputs.Pool, -alpha));

        // aTLAS: blockwise Λ on the target's vector, gradient ascent on the target and descent on the control.
        using var layout = CoefficientLayout.Blockwise(inputs.Pool.BlockNames);
        var model = new ComposedModel(inputs.Pretrained, inputs.Pool, layout);
        var batches = new TaskBatches(
        [
            (new ImageBatches(targetTask.Val.Images, targetTask.Val.Labels, learn.Batch, learn.Crop(), StageIds.Seed(run.Seed, "target")), targetTask.Head),
            (new ImageBatches(controlTask.Val.Images, controlTask.Val.Labels, learn.Batch, learn.Crop(), StageIds.Seed(run.Seed, "control")), controlTask.Head),
        ], context.Config);
        int stepsPerEpoch = Math.Max(1, targetTask.Val.Count / learn.Batch);
        int steps = stepsPerEpoch * learn.Epochs;
        var initial = model.Initial();
        using var selection = new EpochSelection(stepsPerEpoch, initial, trained =>
        {
            var (targetVal, controlVal) = Val(model.Weights(trained));
            bool keepsControl = controlVal >= threshold;
            context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{Id}] val: target {targetVal:F2}%, control {controlVal:F2}% (must stay ≥ {threshold:F2}%)"));
            return new EpochVerdict(-targetVal, keepsControl, Stop: !keepsControl,
                new Dictionary<string, double> { ["target"] = targetVal, ["control"] = controlVal });
        });
        var checkpoint = Checkpoint(context, run, steps);
        var (_, history) = model.Train(initial, learn.Recipe(steps), (weights, step, micro) =>
        {
            var logits = batches.At(weights, step, micro, learn.GradientAccumulation);
            return nn.functional.cross_entropy(logits[1].Logits, logits[1].Labels) - nn.functional.cross_entropy(logits[0].Logits, logits[0].Labels);
        }, new TrainingProgress(Id, steps, context.Log), checkpoint, selection, learn.Regularizer());

        var best = selection.BestWeights[ComposedModel.CoefficientsKey];
        CoefficientArtifacts.Write(context, CoefficientsPath(context.Layout, target.Task, "safetensors"),
            CoefficientsPath(context.Layout, target.Task, "csv"), inputs.Pool.TaskNames, layout, best);
        NegationScore atlas;
        using (no_grad())
        using (var scope = NewDisposeScope()) atlas = Score(model.Weights(best));

        var result = new NegationResult(target.Task, target.Control, threshold, zeroShot, alpha, taskArithmetic, grid,
            selection.BestEpoch, atlas, selection.Records, history);
        context.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{Id}] test target/control: zero-shot {zeroShot.TargetTest:F2}/{zeroShot.ControlTest:F2}, task arithmetic (α = {alpha:0.##}) " +
            $"{taskArithmetic.TargetTest:F2}/{taskArithmetic.ControlTest:F2}, aTLAS (epoch {selection.BestEpoch}) {atlas.TargetTest:F2}/{atlas.ControlTest:F2}"));
        context.WriteJson(ResultPath(context.Layout, target.Task), result);
        checkpoint.Delete();
    }

    public static NegationResult Read(ExperimentContext context, string target) =>
        context.ReadJson<NegationResult>(ResultPath(context.Layout, target));

    private static NegationSpec Spec(ExperimentContext context) =>
        context.Spec.Negation ?? throw new InvalidOperationException($"{context.SpecPath}: no negation section");

    private CoefficientTraining Learn(NegationSpec spec) =>
        spec.Learn with { Lr = target.Lr ?? spec.Learn.Lr, Epochs = target.Epochs ?? spec.Learn.Epochs };
}
