using System.Text.RegularExpressions;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Addition;
using Atlas.Stages.BlockSelection;
using Atlas.Stages.Composition;
using Atlas.Stages.FewShot;
using Atlas.Stages.Negation;
using Atlas.Stages.TestTime;
using Atlas.Stages.Tests.Support;
using Xunit.Abstractions;

namespace Atlas.Stages.Tests;

/// <summary>
/// <c>learn.gradient_accumulation: 2</c> in all five coefficient-learning sections of the micro spec: exactly the stages
/// that learn Λ go stale (their lock parameters carry the value), and rerun from the k = 1 run's inputs they learn what
/// the whole batch learns: Λ of task addition and negation equal to float32 rounding (the micro batches of 8 and 16 cut
/// into halves of 4 and 8), every few-shot, test-time and block-selection accuracy and kept epoch equal (those stages
/// store no Λ; their loss forms are pinned at the Λ-gradient level in Atlas.Training.Tests).
/// </summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // runs the micro pipeline
public sealed class CoefficientAccumulationStageTests(MicroPipeline pipeline, ITestOutputHelper output)
{
    /// <summary>Largest |ΔΛ| allowed between the accumulated and the whole-batch runs (measured: 5.6e-8 isotropic,
    /// 5.0e-6 blockwise): float32 rounding of the split sums after 2 epochs of AdamW, whose normalised step
    /// (g/√v) amplifies the rounding of entries with tiny gradients; 10× the largest measured value.</summary>
    private const double CoefficientTolerance = 5e-5;

    /// <summary>Largest |Δloss| allowed between the runs' step losses (float32 sums of two halves vs one sum).</summary>
    private const double LossTolerance = 1e-5;

    private static readonly string Accumulated =
        Regex.Replace(MicroSpec.Text, @"learn: \{ (.*?) \}", "learn: { $1, gradient_accumulation: 2 }");

    private static readonly string[] Learners =
    [
        AdditionStage.IdOf(CompositionMethod.AtlasIsotropic), AdditionStage.IdOf(CompositionMethod.AtlasBlockwise),
        NegationStage.IdOf(MicroSpec.NegationTarget), FewShotStage.IdOf(MicroSpec.FewShotTarget),
        TestTimeStage.IdOf(MicroSpec.TestTimeTarget), BlockSelectionStage.IdOf(MicroSpec.BlockSelectionTarget),
    ];

    [Fact]
    public void Two_micro_batches_rerun_every_coefficient_learner_and_learn_what_the_whole_batch_learns()
    {
        Assert.Equal(5, Regex.Matches(Accumulated, "gradient_accumulation: 2").Count);
        using var repository = new TempRepository(Accumulated);
        repository.CopyArtifactsFrom(pipeline.Repository);
        using (var session = repository.Open())
        {
            var stale = session.Plan().Where(p => !p.Value.IsUpToDate).ToList();
            Assert.Equal(Learners.Append(StageIds.Report).Order(StringComparer.Ordinal), stale.Select(p => p.Key).Order(StringComparer.Ordinal));
            foreach (var id in Learners) Assert.Contains("gradient_accumulation", session.Plan()[id].ToString());
        }
        foreach (var id in Learners)
        {
            using var session = repository.Open();
            Assert.True(session.Run(id, force: false), $"{id} did not run");
        }

        using var whole = pipeline.Repository.Open();
        using var cut = repository.Open();
        var (one, two) = (whole.Context, cut.Context);

        foreach (var method in new[] { CompositionMethod.AtlasIsotropic, CompositionMethod.AtlasBlockwise })
        {
            double difference = MaxDifference(one, two, AdditionStage.CoefficientsPath(one.Layout, method, "csv"));
            var (a, b) = (AdditionStage.Read(one, method), AdditionStage.Read(two, method));
            output.WriteLine($"{AdditionStage.IdOf(method)}: max |ΔΛ| {difference:E2}; {a.Selection} / {b.Selection}");
            Assert.True(difference <= CoefficientTolerance, $"{method}: Λ differs by {difference:E2}");
            Assert.Equal(a.Selection, b.Selection);
            AssertLossesAgreeButNotBitwise(a.History!, b.History!);
            Assert.Equal(a.Tasks.Select(t => (t.Val, t.Test)), b.Tasks.Select(t => (t.Val, t.Test)));
        }

        string target = MicroSpec.NegationTarget;
        double negation = MaxDifference(one, two, NegationStage.CoefficientsPath(one.Layout, target, "csv"));
        var (n1, n2) = (NegationStage.Read(one, target), NegationStage.Read(two, target));
        output.WriteLine($"{NegationStage.IdOf(target)}: max |ΔΛ| {negation:E2}; loss histories differ by up to " +
            $"{n1.History.Zip(n2.History).Max(p => Math.Abs(p.First.Loss - p.Second.Loss)):E2}");
        Assert.True(negation <= CoefficientTolerance, $"negation: Λ differs by {negation:E2}");
        Assert.Equal(n1.AtlasBestEpoch, n2.AtlasBestEpoch);
        AssertLossesAgreeButNotBitwise(n1.History, n2.History);
        Assert.Equal(n1.Atlas, n2.Atlas);

        var (f1, f2) = (FewShotStage.Read(one, MicroSpec.FewShotTarget), FewShotStage.Read(two, MicroSpec.FewShotTarget));
        Assert.Equal(f1.Runs.Select(r => (r.Shots, r.Draw, r.AtlasEpoch)), f2.Runs.Select(r => (r.Shots, r.Draw, r.AtlasEpoch)));
        Assert.Equal(f1.Runs.Select(r => r.Accuracy[FewShotMethods.Atlas]), f2.Runs.Select(r => r.Accuracy[FewShotMethods.Atlas]));

        var (t1, t2) = (TestTimeStage.Read(one, MicroSpec.TestTimeTarget), TestTimeStage.Read(two, MicroSpec.TestTimeTarget));
        Assert.Equal(t1.Accuracy.OrderBy(p => p.Key), t2.Accuracy.OrderBy(p => p.Key));
        Assert.Equal((t1.SarResets, t1.SarSkippedSteps, t1.UfmSteps), (t2.SarResets, t2.SarSkippedSteps, t2.UfmSteps));
        Assert.Equal(t1.UfmTrustedImages, t2.UfmTrustedImages);

        var (s1, s2) = (BlockSelectionStage.Read(one, MicroSpec.BlockSelectionTarget), BlockSelectionStage.Read(two, MicroSpec.BlockSelectionTarget));
        Assert.Equal(s1.Draws.SelectMany(d => d.Runs).Select(r => (r.Strategy, r.Budget, r.KeptEpoch, r.TestAccuracy)),
            s2.Draws.SelectMany(d => d.Runs).Select(r => (r.Strategy, r.Budget, r.KeptEpoch, r.TestAccuracy)));
        output.WriteLine($"few-shot, test-time and block-selection results equal ({f1.Runs.Count} few-shot runs, " +
            $"{t1.Accuracy.Count} objectives, {s1.Draws.Sum(d => d.Runs.Count)} selection runs)");
    }

    /// <summary>The step losses agree to float32 rounding, and differ somewhere: the accumulated run did take the
    /// micro-batch path (a run that ignored k would repeat the whole-batch losses bit for bit).</summary>
    private static void AssertLossesAgreeButNotBitwise(IReadOnlyList<Atlas.Training.LossPoint> whole, IReadOnlyList<Atlas.Training.LossPoint> cut)
    {
        Assert.Equal(whole.Count, cut.Count);
        double largest = whole.Zip(cut).Max(p => Math.Abs(p.First.Loss - p.Second.Loss));
        Assert.True(largest <= LossTolerance, $"step losses differ by {largest:E2}");
        Assert.True(largest > 0, "the step losses are bit-identical: the micro-batch path was not taken");
    }

    private static double MaxDifference(ExperimentContext one, ExperimentContext two, string csv)
    {
        var (_, _, a) = CoefficientArtifacts.ReadMatrix(one, csv);
        var (_, _, b) = CoefficientArtifacts.ReadMatrix(two, csv);
        Assert.Equal(a.Length, b.Length);
        return a.Cast<double>().Zip(b.Cast<double>()).Max(p => Math.Abs(p.First - p.Second));
    }
}
