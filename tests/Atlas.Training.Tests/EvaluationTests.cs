using Atlas.Models;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

public class EvaluationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(10)]
    [InlineData(64)]
    public void Accuracy_is_the_percentage_of_forced_predictions_that_match(int batchSize)
    {
        using var scope = NewDisposeScope();
        var config = TestSupport.Tiny;
        var weights = TestSupport.VisualWeights(seed: 4);
        using var generator = new Generator(8);
        // Ten different images: random noise at ten brightness levels.
        var images = (rand([10, 1, 14, 14], generator: generator) * 0.5 + arange(10).view(10, 1, 1, 1) / 20).contiguous();

        // One class per image whose head row is that image's own normalised feature: the prediction for image i is i.
        Tensor features;
        using (no_grad())
            features = nn.functional.normalize(
                ClipForward.EncodeImage(Preprocessing.Normalize(images, config), weights, config.Vision), p: 2, dim: -1);
        var similarity = matmul(features, features.t()) - eye(10) * 10;
        Assert.True(similarity.max().item<float>() < 1 - 1e-3, "two images have (nearly) the same feature direction");
        var head = features * 10;

        // Six labels agree with the forced predictions (0, 1, 2, 4, 6, 9), four do not.
        long[] correct = [0, 1, 2, 4, 6, 9];
        var labels = tensor(Enumerable.Range(0, 10).Select(i => correct.Contains(i) ? i : (i + 1L) % 10).ToArray());

        Assert.Equal(60.0, Evaluation.Accuracy(weights, head, images, labels, config, batchSize), 10);
    }

    /// <summary>What experiments/mini.yaml's evaluation batch (128, not 500) relies on: on this CPU build an image's
    /// features are the same bits whichever batch of 4 or more images computes them, so the batch decides speed, not
    /// results. Were this to change with a libtorch or CPU, the mini's results would depend on <c>evaluate.batch</c>.</summary>
    [Fact]
    public void The_mini_tower_gives_every_image_the_same_feature_bits_in_any_batch()
    {
        using var scope = NewDisposeScope();
        set_num_threads(1); // the mini's threads
        var config = ClipConfig.Mini;
        var weights = ClipInitializer.Initialize(config, 3)
            .Where(p => p.Key.StartsWith(ClipParameterNames.VisualPrefix, StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value);
        using var generator = new Generator(5);
        var images = rand([600, 1, 28, 28], generator: generator);
        using var noGrad = no_grad();
        Tensor InBatchesOf(int batch) => cat(
            [.. Enumerable.Range(0, (600 + batch - 1) / batch).Select(i => ClipForward.EncodeImage(
                Preprocessing.Normalize(images.narrow(0, i * batch, Math.Min(batch, 600 - i * batch)), config), weights, config.Vision))], 0);

        var reference = InBatchesOf(500);
        // From 4 images (68 token rows) on; batches of 1–3 images take another kernel path here and differ in the last
        // bits, so a set whose size leaves 1–3 images for its last batch could differ too (the whole mini gave the same
        // bytes at 128 as at 500).
        var differ = new[] { 4, 5, 8, 32, 44, 128, 600 }.Where(batch => !reference.eq(InBatchesOf(batch)).all().item<bool>()).ToList();
        Assert.True(differ.Count == 0, $"features in batches of {string.Join(", ", differ)} differ from batches of 500");
    }

    [Fact]
    public void All_right_and_all_wrong()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(109); // explicit seed: the global generator depends on test order
        var config = TestSupport.Tiny;
        var weights = TestSupport.VisualWeights(seed: 4);
        var images = rand([7, 1, 14, 14], generator: generator);
        Tensor features;
        using (no_grad())
            features = ClipForward.EncodeImage(Preprocessing.Normalize(images, config), weights, config.Vision);
        // Two classes: the mean feature direction and its opposite. Each image is classified by the sign of its
        // projection on the mean, which is positive for most images; labels use the predictions themselves.
        var direction = nn.functional.normalize(features.mean([0], keepdim: true), p: 2, dim: -1);
        var head = cat([direction, -direction]) * 5;
        var predictions = (matmul(features, direction.t()).squeeze(1) < 0).to_type(ScalarType.Int64);
        Assert.Equal(100.0, Evaluation.Accuracy(weights, head, images, predictions, config, batchSize: 3), 10);
        Assert.Equal(0.0, Evaluation.Accuracy(weights, head, images, 1 - predictions, config, batchSize: 3), 10);
    }
}
