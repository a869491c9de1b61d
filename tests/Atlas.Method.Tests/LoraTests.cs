using Atlas.Method.Lora;
using Atlas.Models;
using static Atlas.Method.Tests.Fixtures;
using static TorchSharp.torch;

namespace Atlas.Method.Tests;

public class LoraTests
{
    private const int Rank = 4;

    [Fact]
    public void Default_targets_are_the_four_matrices_of_every_visual_block()
    {
        var targets = LoraAdapters.DefaultTargets(Blocks);
        Assert.Equal(4 * Tiny.Vision.Layers, targets.Count);
        Assert.Equal(
            ["visual.transformer.resblocks.0.attn.in_proj_weight", "visual.transformer.resblocks.0.attn.out_proj.weight",
             "visual.transformer.resblocks.0.mlp.c_fc.weight", "visual.transformer.resblocks.0.mlp.c_proj.weight"],
            targets.Take(4));
        Assert.All(LoraAdapters.DefaultTargets(Blocks, LoraTargetSet.AttentionOnly), name => Assert.Contains(".attn.", name));
        Assert.All(LoraAdapters.DefaultTargets(Blocks, LoraTargetSet.MlpOnly), name => Assert.Contains(".mlp.", name));
        Assert.Equal(2 * Tiny.Vision.Layers, LoraAdapters.DefaultTargets(Blocks, LoraTargetSet.MlpOnly).Count);
        // Text-tower blocks and biases never match.
        Assert.Empty(LoraAdapters.DefaultTargets(ClipParameterNames.Text(Tiny)));
        Assert.Empty(LoraAdapters.DefaultTargets(["visual.transformer.resblocks.0.attn.in_proj_bias", "visual.proj"]));
    }

    [Fact]
    public void Initialisation_is_loralib_and_reproducible_from_the_seed()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var lora = LoraAdapters.Initialize(pretrained, Rank, seed: 7);
        var targets = LoraAdapters.DefaultTargets(Blocks);
        Assert.Equal(targets.SelectMany(t => new[] { t + ".lora_A", t + ".lora_B" }), lora.Keys);
        foreach (var target in targets)
        {
            var weight = pretrained[target];
            var a = lora[target + LoraAdapters.ASuffix];
            var b = lora[target + LoraAdapters.BSuffix];
            Assert.Equal([Rank, weight.shape[1]], a.shape);
            Assert.Equal([weight.shape[0], Rank], b.shape);
            Assert.True(a.requires_grad && b.requires_grad && a.is_leaf && b.is_leaf);
            // kaiming_uniform_(a=√5): U(±1/√in).
            double bound = 1 / Math.Sqrt(weight.shape[1]);
            Assert.True(a.abs().max().item<float>() <= bound, target);
            Assert.True(a.abs().max().item<float>() > bound / 2, target);
            Assert.Equal(0f, b.abs().max().item<float>());
        }
        AssertAllIdentical(lora, LoraAdapters.Initialize(pretrained, Rank, seed: 7));
        var other = LoraAdapters.Initialize(pretrained, Rank, seed: 8);
        Assert.False(TensorAssert.Identical(lora[targets[0] + ".lora_A"], other[targets[0] + ".lora_A"]));
    }

    [Fact]
    public void Zero_B_merges_to_the_base_bitwise_and_reproduces_its_forward()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var before = DeepCopy(pretrained);
        var lora = LoraAdapters.Initialize(pretrained, Rank, seed: 3);
        var merged = LoraAdapters.Merge(pretrained, lora, LoraAdapters.DefaultAlpha, Rank);
        AssertAllIdentical(pretrained, merged);
        var images = Images(4);
        Assert.True(TensorAssert.Identical(Encode(images, pretrained), Encode(images, merged)));
        AssertAllIdentical(before, pretrained);
    }

    [Fact]
    public void Merged_weight_is_base_plus_scaled_B_times_A()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var targets = LoraAdapters.DefaultTargets(Blocks, LoraTargetSet.AttentionOnly);
        var lora = RandomLora(pretrained, targets, rank: 3, seed: 5);
        var pretrainedBefore = DeepCopy(pretrained);
        var loraBefore = DeepCopy(lora);
        const double alpha = 5;

        var merged = LoraAdapters.Merge(pretrained, lora, alpha, rank: 3);
        Assert.Equal(pretrained.Keys, merged.Keys);
        foreach (var (name, weight) in pretrained)
        {
            if (!targets.Contains(name))
            {
                Assert.True(TensorAssert.Identical(weight, merged[name]), $"non-target '{name}' changed");
                continue;
            }
            var a = lora[name + ".lora_A"].detach().to(ScalarType.Float64);
            var b = lora[name + ".lora_B"].detach().to(ScalarType.Float64);
            var expected = weight.to(ScalarType.Float64) + alpha / 3 * b.matmul(a);
            Assert.True(merged[name].to(ScalarType.Float64).allclose(expected, rtol: 1e-6, atol: 1e-6), name);
            Assert.False(TensorAssert.Identical(weight, merged[name]), $"target '{name}' did not change");
        }
        AssertAllIdentical(pretrainedBefore, pretrained);
        AssertAllIdentical(loraBefore, lora);
    }

    [Fact]
    public void Gradients_reach_A_and_B_only()
    {
        using var scope = NewDisposeScope();
        // θ0 itself requires grad here, so a missing detach would show up as a gradient on it.
        var pretrained = Pretrained().ToDictionary(p => p.Key, p => p.Value.requires_grad_(true));
        var lora = LoraAdapters.Initialize(pretrained, Rank, seed: 4);
        var merged = LoraAdapters.Merge(pretrained, lora, LoraAdapters.DefaultAlpha, Rank);
        Encode(Images(9, count: 5), merged).square().sum().backward();

        Assert.All(pretrained, p => Assert.Null(p.Value.grad));
        foreach (var (name, tensor) in lora)
        {
            Assert.NotNull(tensor.grad);
            float norm = tensor.grad!.abs().sum().item<float>();
            // At B = 0, ∂L/∂A = (α/r)·Bᵀ·∂L/∂W' = 0 while ∂L/∂B = (α/r)·∂L/∂W'·Aᵀ ≠ 0.
            if (name.EndsWith(LoraAdapters.BSuffix, StringComparison.Ordinal)) Assert.True(norm > 0, $"no gradient on '{name}'");
            else Assert.Equal(0f, norm);
        }

        // With B ≠ 0 the gradient reaches A too; detachBase: false keeps the base's graph (joint LoRA + Λ training).
        var targets = LoraAdapters.DefaultTargets(Blocks);
        var random = RandomLora(pretrained, targets, Rank, seed: 6);
        Encode(Images(9, count: 5), LoraAdapters.Merge(pretrained, random, 32, Rank, detachBase: false)).square().sum().backward();
        Assert.All(random.Values, t => Assert.True(t.grad!.abs().sum().item<float>() > 0));
        Assert.NotNull(pretrained[targets[0]].grad);
    }

    [Fact]
    public void Parameter_count_is_rank_times_in_plus_out()
    {
        using var scope = NewDisposeScope();
        var mini = ClipInitializer.Initialize(ClipConfig.Mini, seed: 0)
            .Where(p => p.Key.StartsWith(ClipParameterNames.VisualPrefix, StringComparison.Ordinal)).ToDictionary();
        // Mini: W = 64, MLP 256, 3 layers. Per layer r·[(64+192) + (64+64) + (64+256) + (256+64)] = 1024·r;
        // × 3 layers × r = 16 → 49,152 (attention only 384·16·3 = 18,432; MLP only 640·16·3 = 30,720).
        Assert.Equal(49_152, LoraAdapters.ParameterCount(mini, 16));
        Assert.Equal(18_432, LoraAdapters.ParameterCount(mini, 16, LoraAdapters.DefaultTargets(mini.Keys, LoraTargetSet.AttentionOnly)));
        Assert.Equal(30_720, LoraAdapters.ParameterCount(mini, 16, LoraAdapters.DefaultTargets(mini.Keys, LoraTargetSet.MlpOnly)));
        Assert.Equal(49_152, LoraAdapters.Initialize(mini, 16, seed: 1).Values.Sum(t => t.numel()));

        // ViT-B/32 from shapes alone (expanded views allocate nothing): per layer r·(3072 + 1536 + 3840 + 3840) =
        // 12,288·r; × 12 layers × 16 → 2,359,296.
        var one = zeros(1);
        var vitB32 = ClipParameterNames.Shapes(ClipConfig.VitB32)
            .Where(p => p.Name.StartsWith(ClipParameterNames.VisualPrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Name, p => p.Shape.Length == 0 ? one.view([]) : one.view([.. p.Shape.Select(_ => 1L)]).expand(p.Shape));
        Assert.Equal(2_359_296, LoraAdapters.ParameterCount(vitB32, LoraAdapters.DefaultRank));
    }

    [Fact]
    public void Malformed_adapters_are_rejected_with_clear_messages()
    {
        using var scope = NewDisposeScope();
        var pretrained = Pretrained();
        var lora = LoraAdapters.Initialize(pretrained, Rank, seed: 1);
        string first = LoraAdapters.DefaultTargets(Blocks)[0];

        var wrongRank = Assert.Throws<ArgumentException>(() => LoraAdapters.Merge(pretrained, lora, 32, Rank + 1));
        Assert.Contains(first, wrongRank.Message);
        var missingB = lora.Where(p => p.Key != first + ".lora_B").ToDictionary();
        Assert.Contains("needs both", Assert.Throws<ArgumentException>(() => LoraAdapters.Merge(pretrained, missingB, 32, Rank)).Message);
        var stray = new Dictionary<string, Tensor>(lora) { ["visual.proj.lora_C"] = zeros(1) };
        Assert.Throws<ArgumentException>(() => LoraAdapters.Merge(pretrained, stray, 32, Rank));
        Assert.Throws<KeyNotFoundException>(() => LoraAdapters.Initialize(pretrained, Rank, 1, ["visual.nope"]));
        Assert.Throws<ArgumentException>(() => LoraAdapters.Initialize(pretrained, Rank, 1, ["visual.ln_pre.weight"]));
        Assert.Throws<ArgumentException>(() => LoraAdapters.Initialize(pretrained, Rank, 1, [first, first]));
        Assert.Throws<ArgumentOutOfRangeException>(() => LoraAdapters.Initialize(pretrained, 0, 1));
    }

    [Fact]
    public void Lora_task_vector_is_scaled_B_times_A_and_zero_on_other_tensors()
    {
        using var scope = NewDisposeScope();
        const string fc = "visual.transformer.resblocks.0.mlp.c_fc.weight", bias = "visual.transformer.resblocks.0.mlp.c_fc.bias";
        var pretrained = new Dictionary<string, Tensor>
        {
            [fc] = tensor(new float[] { 1, 1, 1, 1, 1, 1 }).view(2, 3),
            [bias] = tensor(new float[] { 5, 6 }),
            ["visual.proj"] = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).view(3, 2),
        };
        // r = 2, α = 1: scale 1/2. A [r, in] = [[1, 0, 2], [0, 1, −1]], B [out, r] = [[1, 2], [3, −1]].
        var lora = new Dictionary<string, Tensor>
        {
            [fc + LoraAdapters.ASuffix] = tensor(new float[] { 1, 0, 2, 0, 1, -1 }).view(2, 3),
            [fc + LoraAdapters.BSuffix] = tensor(new float[] { 1, 2, 3, -1 }).view(2, 2),
        };

        var vector = LoraAdapters.TaskVector(pretrained, lora, alpha: 1, rank: 2);

        // By hand: B·A = [[1, 2, 0], [3, −1, 7]]; times 1/2.
        Assert.Equal([fc, bias, "visual.proj"], vector.Keys);
        Assert.Equal([2L, 3L], vector[fc].shape);
        Assert.Equal([0.5f, 1f, 0f, 1.5f, -0.5f, 3.5f], vector[fc].data<float>().ToArray());
        Assert.Equal([0f, 0f], vector[bias].data<float>().ToArray());
        Assert.Equal(new float[6], vector["visual.proj"].data<float>().ToArray());
        Assert.Equal([3L, 2L], vector["visual.proj"].shape);
    }

    private static Dictionary<string, Tensor> RandomLora(
        IReadOnlyDictionary<string, Tensor> pretrained, IEnumerable<string> targets, int rank, long seed)
    {
        using var generator = new Generator((ulong)seed);
        var lora = new Dictionary<string, Tensor>();
        foreach (var target in targets)
        {
            var shape = pretrained[target].shape;
            lora[target + ".lora_A"] = (randn([rank, shape[1]], generator: generator) * 0.1).requires_grad_(true);
            lora[target + ".lora_B"] = (randn([shape[0], rank], generator: generator) * 0.1).requires_grad_(true);
        }
        return lora;
    }
}
