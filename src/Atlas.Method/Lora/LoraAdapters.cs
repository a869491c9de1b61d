using Atlas.Method.Composition;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Method.Lora;

/// <summary>
/// LoRA for the image tower as a weight transform for the dictionary forward (docs/method.md §M6, ssl-branch
/// <c>finetune.py --lora</c>): every target matrix W [out, in] gets a pair A [r, in], B [out, r] and the forward uses
/// W' = W + (α/r)·B·A. Only A and B are trained; the paper uses r = 16, α = 32 (scale 2) on the fused q/k/v
/// in-projection, the attention out-projection and both MLP matrices of every visual residual block.
/// </summary>
/// <remarks>
/// Trainable tensors are keyed <c>"&lt;weight name&gt;.lora_A"</c> / <c>".lora_B"</c>. The fused in-projection gets
/// one rank-r pair over all of q, k and v (as loratorch's <c>MultiheadAttention</c> with equal q/k/v dims), not one per
/// third. Initialisation follows loralib: A ~ kaiming-uniform(a = √5), i.e. U(±1/√in), B = 0, so the merged weights
/// start exactly at W. Two details of the loratorch source read are deliberately not replicated: it initialises the
/// in-projection's A per third of its columns (fan-in in/3, so U(±√(3/in))), and its attention out-projection A is
/// registered as zeros and never initialised, so with B = 0 that pair gets no gradient and never trains.
/// </remarks>
public static class LoraAdapters
{
    /// <summary>The paper's rank r.</summary>
    public const int DefaultRank = 16;

    /// <summary>The paper's α (scale α/r = 2 at the default rank).</summary>
    public const double DefaultAlpha = 32;

    /// <summary>Suffix of the down-projection A [r, in] appended to the target weight's name.</summary>
    public const string ASuffix = ".lora_A";

    /// <summary>Suffix of the up-projection B [out, r] appended to the target weight's name.</summary>
    public const string BSuffix = ".lora_B";

    /// <summary>Prefix of every visual residual-block parameter.</summary>
    public const string VisualBlockPrefix = "visual.transformer.resblocks.";

    private static readonly string[] AttentionMatrices = ["attn.in_proj_weight", "attn.out_proj.weight"];
    private static readonly string[] MlpMatrices = ["mlp.c_fc.weight", "mlp.c_proj.weight"];

    /// <summary>
    /// The target matrices among <paramref name="visualNames"/>, in their given order: the names
    /// <c>visual.transformer.resblocks.{i}.&lt;matrix&gt;</c> whose matrix is in <paramref name="set"/>.
    /// </summary>
    /// <param name="visualNames">Parameter names, e.g. <c>ClipParameterNames.Visual(config)</c> or θ0's keys; other
    /// names are skipped.</param>
    /// <param name="set">All four matrices (the paper), or the attention / MLP subset.</param>
    public static IReadOnlyList<string> DefaultTargets(IEnumerable<string> visualNames, LoraTargetSet set = LoraTargetSet.All)
    {
        ArgumentNullException.ThrowIfNull(visualNames);
        string[] matrices = set switch
        {
            LoraTargetSet.All => [.. AttentionMatrices, .. MlpMatrices],
            LoraTargetSet.AttentionOnly => AttentionMatrices,
            LoraTargetSet.MlpOnly => MlpMatrices,
            _ => throw new ArgumentOutOfRangeException(nameof(set), set, "unknown LoRA target set"),
        };
        return [.. visualNames.Where(name => IsBlockMatrix(name, matrices))];
    }

    /// <summary>Fresh LoRA pairs for every target: A ~ U(±1/√in) drawn from one generator seeded with
    /// <paramref name="seed"/>, target by target in the given order; B = 0.</summary>
    /// <param name="pretrained">θ0 by name; supplies each target's shape, dtype and device.</param>
    /// <param name="rank">r ≥ 1.</param>
    /// <param name="seed">Seed of the generator that draws every A.</param>
    /// <param name="targets">Weight names to adapt; defaults to <see cref="DefaultTargets"/> of θ0's keys.</param>
    /// <returns>Leaf tensors with <c>requires_grad</c>, keyed <c>name + ".lora_A"</c> and <c>name + ".lora_B"</c>, A
    /// before B, targets in order. The caller owns them.</returns>
    /// <exception cref="KeyNotFoundException">A target is not in θ0.</exception>
    /// <exception cref="ArgumentException">No targets, a duplicate, or a target that is not a floating 2-D matrix.</exception>
    public static Dictionary<string, Tensor> Initialize(
        IReadOnlyDictionary<string, Tensor> pretrained, int rank, long seed, IReadOnlyList<string>? targets = null)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        var names = targets ?? DefaultTargets(pretrained.Keys);
        var shapes = ValidateTargets(pretrained, names);

        using var generator = new Generator(unchecked((ulong)seed));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var lora = new Dictionary<string, Tensor>(2 * names.Count, StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            var weight = pretrained[names[i]];
            long outFeatures = shapes[i][0], inFeatures = shapes[i][1];
            // kaiming_uniform_(a=√5) on [r, in]: gain √(2/(1+5)) times √(3/fan_in) is exactly 1/√in. Drawn on the
            // CPU so the values do not depend on the device.
            double bound = 1 / Math.Sqrt(inFeatures);
            var a = empty([rank, inFeatures], weight.dtype).uniform_(-bound, bound, generator).to(weight.device);
            var b = zeros([outFeatures, rank], weight.dtype, weight.device);
            lora[names[i] + ASuffix] = a.requires_grad_(true);
            lora[names[i] + BSuffix] = b.requires_grad_(true);
        }
        return Shapes.MoveToOuter(lora);
    }

    /// <summary>The weights with every LoRA pair merged: W' = W + (α/r)·B·A for each pair in <paramref name="lora"/>.</summary>
    /// <param name="pretrained">The base weights W by name (θ0, or composed weights).</param>
    /// <param name="lora">Pairs keyed as <see cref="Initialize"/> returns them; every A needs its B.</param>
    /// <param name="alpha">α; the update is scaled by α/r.</param>
    /// <param name="rank">r; every A must have r rows and every B r columns.</param>
    /// <param name="detachBase">True (default): the result is differentiable with respect to A and B only, as
    /// loratorch's <c>p.detach() + scale·B·A</c>. False keeps the base's graph, for training LoRA jointly with
    /// coefficients Λ on top of <c>WeightComposer.Compose</c> output (ssl branch <c>--tune-lora</c>).</param>
    /// <returns>A new dictionary in the base's key order. Every entry is a new handle the caller owns: the merged
    /// targets, and for every other entry a view of the base's storage (disposing it never frees the base). Inputs
    /// are not modified.</returns>
    public static Dictionary<string, Tensor> Merge(
        IReadOnlyDictionary<string, Tensor> pretrained, IReadOnlyDictionary<string, Tensor> lora, double alpha, int rank,
        bool detachBase = true)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentNullException.ThrowIfNull(lora);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        if (!double.IsFinite(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "LoRA α must be finite");
        var pairs = Pairs(pretrained, lora, rank);
        double scale = alpha / rank;

        using var scope = NewDisposeScope();
        using Scalar scaleScalar = scale.ToScalar();
        var merged = new Dictionary<string, Tensor>(pretrained.Count, StringComparer.Ordinal);
        foreach (var (name, weight) in pretrained)
        {
            var baseWeight = detachBase ? weight.detach() : weight.alias();
            // B·A first, then the scale, as loratorch's merge_BA(...) * scaling.
            merged[name] = pairs.TryGetValue(name, out var pair) ? baseWeight + pair.B.matmul(pair.A) * scaleScalar : baseWeight;
        }
        return Shapes.MoveToOuter(merged);
    }

    /// <summary>
    /// The LoRA task vector of trained pairs: τ_j = (α/r)·B_j·A_j for every adapted matrix j and τ = 0 for every other
    /// entry of θ0, keyed by parameter name like a full task vector (docs/method.md §M6). It is exactly
    /// <see cref="Merge"/>(θ0, pairs) − θ0, so θ0 + τ is the LoRA fine-tuned tower.
    /// </summary>
    /// <remarks>The paper composes LoRA task vectors with aTLAS × K (App. F). The released ssl branch keeps A and B as
    /// separate blocks and scales each; this merged form keeps composition linear in τ, as for full task vectors.</remarks>
    /// <param name="pretrained">θ0 by name; supplies every key, shape, dtype and device.</param>
    /// <param name="lora">Trained pairs keyed as <see cref="Initialize"/> returns them.</param>
    /// <param name="alpha">α.</param>
    /// <param name="rank">r.</param>
    /// <returns>New detached tensors in θ0's key order; the caller owns them.</returns>
    public static Dictionary<string, Tensor> TaskVector(
        IReadOnlyDictionary<string, Tensor> pretrained, IReadOnlyDictionary<string, Tensor> lora, double alpha, int rank)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentNullException.ThrowIfNull(lora);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        if (!double.IsFinite(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "LoRA α must be finite");
        var pairs = Pairs(pretrained, lora, rank);

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using Scalar scaleScalar = (alpha / rank).ToScalar();
        var deltas = new Dictionary<string, Tensor>(pretrained.Count, StringComparer.Ordinal);
        foreach (var (name, weight) in pretrained)
            // B·A first, then the scale, as in Merge.
            deltas[name] = pairs.TryGetValue(name, out var pair) ? pair.B.detach().matmul(pair.A.detach()).mul(scaleScalar) : zeros_like(weight);
        return Shapes.MoveToOuter(deltas);
    }

    /// <summary>Number of trainable LoRA scalars, Σ over targets of r·(in + out).</summary>
    /// <param name="pretrained">θ0 by name; supplies the target shapes.</param>
    /// <param name="rank">r ≥ 1.</param>
    /// <param name="targets">Defaults to <see cref="DefaultTargets"/> of θ0's keys.</param>
    public static long ParameterCount(IReadOnlyDictionary<string, Tensor> pretrained, int rank, IReadOnlyList<string>? targets = null)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        var shapes = ValidateTargets(pretrained, targets ?? DefaultTargets(pretrained.Keys));
        return shapes.Sum(shape => rank * (shape[0] + shape[1]));
    }

    private static bool IsBlockMatrix(string name, string[] matrices)
    {
        if (!name.StartsWith(VisualBlockPrefix, StringComparison.Ordinal)) return false;
        // "visual.transformer.resblocks.{i}.<matrix>": the layer index, then exactly one of the matrices.
        string rest = name[VisualBlockPrefix.Length..];
        int dot = rest.IndexOf('.');
        return dot > 0 && rest[..dot].All(char.IsAsciiDigit) && matrices.Contains(rest[(dot + 1)..], StringComparer.Ordinal);
    }

    private static long[][] ValidateTargets(IReadOnlyDictionary<string, Tensor> pretrained, IReadOnlyList<string> targets)
    {
        if (targets.Count == 0)
            throw new ArgumentException("no LoRA targets: expected visual residual-block matrices such as 'visual.transformer.resblocks.0.attn.in_proj_weight'");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var shapes = new long[targets.Count][];
        for (int i = 0; i < targets.Count; i++)
        {
            string name = targets[i];
            if (!seen.Add(name)) throw new ArgumentException($"LoRA target '{name}' is listed twice");
            if (!pretrained.TryGetValue(name, out var weight))
                throw new KeyNotFoundException($"LoRA target '{name}' is missing from the pretrained weights");
            if (weight.dim() != 2 || !weight.is_floating_point())
                throw new ArgumentException(
                    $"LoRA target '{name}' must be a floating-point matrix, got {weight.dtype} {Shapes.Format(weight.shape)}");
            shapes[i] = weight.shape;
        }
        return shapes;
    }

    // Validates the LoRA dictionary against the base and groups it by target; every key must belong to a complete pair.
    private static Dictionary<string, (Tensor A, Tensor B)> Pairs(
        IReadOnlyDictionary<string, Tensor> pretrained, IReadOnlyDictionary<string, Tensor> lora, int rank)
    {
        var pairs = new Dictionary<string, (Tensor A, Tensor B)>(StringComparer.Ordinal);
        foreach (var key in lora.Keys)
        {
            string target = key.EndsWith(ASuffix, StringComparison.Ordinal) ? key[..^ASuffix.Length]
                : key.EndsWith(BSuffix, StringComparison.Ordinal) ? key[..^BSuffix.Length]
                : throw new ArgumentException($"LoRA tensor '{key}' must end with '{ASuffix}' or '{BSuffix}'", nameof(lora));
            if (pairs.ContainsKey(target)) continue;
            if (!lora.TryGetValue(target + ASuffix, out var a) || !lora.TryGetValue(target + BSuffix, out var b))
                throw new ArgumentException($"LoRA target '{target}' needs both '{ASuffix}' and '{BSuffix}'", nameof(lora));
            if (!pretrained.TryGetValue(target, out var weight))
                throw new KeyNotFoundException($"LoRA target '{target}' is missing from the base weights");
            if (weight.dim() != 2)
                throw new ArgumentException($"LoRA target '{target}' must be a matrix, got {Shapes.Format(weight.shape)}");
            long outFeatures = weight.shape[0], inFeatures = weight.shape[1];
            if (!Shapes.Same(a.shape, [rank, inFeatures]) || !Shapes.Same(b.shape, [outFeatures, rank]))
                throw new ArgumentException(
                    $"LoRA target '{target}' {Shapes.Format(weight.shape)} at rank {rank} needs A [{rank}, {inFeatures}] and B [{outFeatures}, {rank}], " +
                    $"got A {Shapes.Format(a.shape)} and B {Shapes.Format(b.shape)}", nameof(lora));
            if (a.dtype != weight.dtype || b.dtype != weight.dtype)
                throw new ArgumentException(
                    $"LoRA target '{target}' is {weight.dtype}, but A is {a.dtype} and B is {b.dtype}", nameof(lora));
            pairs[target] = (a, b);
        }
        return pairs;
    }
}
