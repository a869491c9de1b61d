using Atlas.Pipeline.Specs;
using System.Text.Json.Nodes;
using Atlas.Stages.TestTime;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>The test-time adaptation stage of the micro experiment: every objective scored, the zero-shot reference
/// equal to the evaluation stage's, and a table row per target plus the mean.</summary>
[Collection(MicroPipelineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)] // runs the micro pipeline
public sealed class TestTimeStageTests(MicroPipeline pipeline)
{
    [Fact]
    public void Every_objective_is_scored_against_the_zero_shot_reference()
    {
        using var session = pipeline.Repository.Open();
        var context = session.Context;
        var result = TestTimeStage.Read(context, MicroSpec.TestTimeTarget);
        Assert.Equal(MicroSpec.Tasks.Where(t => t != MicroSpec.TestTimeTarget), result.Pool);
        Assert.Equal(EvaluateStage.Read(context, MicroSpec.TestTimeTarget).ZeroShotTest, result.ZeroShot);
        Assert.Equal([TestTimeObjective.Entropy, TestTimeObjective.Sar, TestTimeObjective.Ufm], result.Accuracy.Keys.Order());
        Assert.All(result.Accuracy.Values, a => Assert.InRange(a, 0, 100));
        // 32 test images in batches of 8 for 2 epochs; UFM's trusted set (k = 1 here) is re-estimated every epoch and
        // holds at most one image per class, and its epoch is ⌊(32 − C·1) / (8 − 2)⌋ steps.
        int classes = context.Task(MicroSpec.TestTimeTarget).Classes.Count;
        Assert.Equal(8, result.Steps);
        Assert.InRange(result.SarResets + result.SarSkippedSteps, 0, result.Steps);
        Assert.Equal(1, result.UfmTrustedPerClass);
        Assert.Equal(2 * ((32 - classes) / 6), result.UfmSteps);
        Assert.Equal(2, result.UfmTrustedImages.Count);
        Assert.All(result.UfmTrustedImages, n => Assert.InRange(n, 1, classes));
        Assert.All(result.UfmTrustedImages.Zip(result.UfmTrustedCorrect), p => Assert.InRange(p.Second, 0, p.First));

        var table = JsonNode.Parse(File.ReadAllText(pipeline.Repository.Absolute(context.Layout.Table(TestTimeTables.Table, "json"))))!;
        Assert.Equal(["zero_shot", "entropy", "sar", "ufm"], table["columns"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal([MicroSpec.TestTimeTarget, "mean"], table["rows"]!.AsArray().Select(r => r!["key"]!.GetValue<string>()));
    }
}
