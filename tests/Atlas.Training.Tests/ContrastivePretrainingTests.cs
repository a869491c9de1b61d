using Atlas.Models;
using Atlas.Training.Optim;
using static TorchSharp.torch;

namespace Atlas.Training.Tests;

public class ContrastivePretrainingTests
{
    private static readonly string[] Classes = ["left", "top", "centre"];
    private static readonly string[] Templates = ["a photo of a {c}.", "a {c} shape"];

    /// <summary>Three visually separable classes of 14×14 images: bright left half, bright top half, bright centre.</summary>
    private static (Tensor Images, Tensor Labels) ToyImages(int perClass)
    {
        using var generator = new Generator(17);
        var images = rand([3 * perClass, 1, 14, 14], generator: generator) * 0.2;
        var labels = arange(3 * perClass, dtype: ScalarType.Int64) % 3;
        for (int i = 0; i < 3 * perClass; i++)
        {
            var image = images[i, 0];
            switch (i % 3)
            {
                case 0: image[.., ..7].add_(0.8); break;
                case 1: image[..7, ..].add_(0.8); break;
                default: image[4..10, 4..10].add_(0.8); break;
            }
        }
        return (images, labels);
    }

    private static Tensor CaptionTokens(ITextTokenizer tokenizer, ClipConfig config)
    {
        var prompts = Classes.SelectMany(c => Templates.Select(t => t.Replace("{c}", c))).ToList();
        return tokenizer.Encode(prompts, config.Text.ContextLength).view(Classes.Length, Templates.Length, -1);
    }

    [Fact]
    public void Loss_decreases_on_a_separable_toy()
    {
        using var scope = NewDisposeScope();
        var config = TestSupport.Tiny;
        var initial = ClipInitializer.Initialize(config, seed: 3);
        var before = TestSupport.DeepCopy(initial);
        var (images, labels) = ToyImages(perClass: 8);
        var batches = new ImageBatches(images, labels, batchSize: 12, cropScale: (0.8, 1.0), seed: 2);
        var tokens = CaptionTokens(new HashingWordTokenizer(config.Text.VocabSize), config);
        var recipe = new OptimizationRecipe(Lr: 2e-3, WeightDecay: 0.0, Steps: 20, WarmupSteps: 2, Cosine: false, GradClip: 1.0);

        var (weights, history) = ContrastivePretraining.Run(initial, batches, tokens, config, recipe, seed: 1, TestSupport.Silent(20));

        Assert.Equal(20, history.Count);
        double first = history.Take(5).Average(p => p.Loss), last = history.TakeLast(5).Average(p => p.Loss);
        Assert.True(last < first, $"loss did not decrease: first five {first:F4}, last five {last:F4}");
        TestSupport.AssertAllIdentical(before, initial); // the initial weights are not modified
        Assert.Equal(initial.Keys, weights.Keys);
        Assert.False(TensorAssert.Identical(initial["text_projection"], weights["text_projection"]));
        Assert.False(TensorAssert.Identical(initial["visual.proj"], weights["visual.proj"]));
    }

    [Theory]
    [InlineData(null, 1 / 0.07)]
    [InlineData(2.0, 7.38905609893065)]
    [InlineData(6.0, 100.0)] // exp(6) ≈ 403 is capped at 100
    public void Zero_shot_head_rows_have_the_capped_logit_scale_as_norm(double? logLogitScale, double expectedNorm)
    {
        using var scope = NewDisposeScope();
        var config = TestSupport.Tiny;
        var weights = ClipInitializer.Initialize(config, seed: 5);
        if (logLogitScale is { } value) weights[ClipParameterNames.LogitScale].fill_(value);
        var tokenizer = new HashingWordTokenizer(config.Text.VocabSize);

        var head = ZeroShotHeads.Build(weights, tokenizer, config, Classes, Templates);

        Assert.Equal([3L, config.EmbedDim], head.shape);
        var norms = TestSupport.Doubles(head.norm(1));
        Assert.All(norms, n => Assert.Equal(expectedNorm, n, 3));

        // Row c is the direction of the normalised template-mean text embedding of class c's own prompts.
        for (int c = 0; c < Classes.Length; c++)
        {
            var prompts = Templates.Select(t => t.Replace("{c}", Classes[c])).ToList();
            var embeddings = ClipForward.EncodeText(tokenizer.Encode(prompts, config.Text.ContextLength), weights, config.Text);
            var direction = nn.functional.normalize(
                nn.functional.normalize(embeddings, p: 2, dim: -1).mean([0]), p: 2, dim: 0);
            Assert.True(direction.allclose(head[c] / norms[c], rtol: 1e-5, atol: 1e-5), $"row {c}");
        }
    }
}
