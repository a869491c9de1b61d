using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Method.Composition;

/// <summary>
/// The map from parameter blocks to coefficients: Λ has shape [T, G] for G coefficient groups, every block belongs to
/// one group, and θ_j = θ0_j + Σ_t Λ[t, group(j)] · τ_{t,j}. aTLAS × K refines this with Λ [T, P, K] (group = block)
/// and a random assignment of every element of a block to one of K partitions:
/// θ_j[e] = θ0_j[e] + Σ_t Λ[t, j, m_j(e)] · τ_{t,j}[e]. The layouts differ only in this map; <see cref="WeightComposer"/>
/// applies all of them the same way.
/// </summary>
/// <remarks>A partitioned layout owns its assignment tensors (int32, values in [0, K)) and their
/// <see cref="PartitionGrid"/>s; dispose it when done.</remarks>
public sealed partial class CoefficientLayout : IDisposable
{
    /// <summary>Name of the group of embedding-side blocks in <see cref="Layerwise"/>.</summary>
    public const string EmbeddingGroup = "embeddings";

    /// <summary>Name of the group of output-side blocks in <see cref="Layerwise"/>.</summary>
    public const string OutputGroup = "output";

    private readonly string[] _blocks;
    private readonly string[] _groups;
    private readonly int[] _groupOfBlock;
    private readonly bool[] _adapted;
    private readonly Tensor?[] _assignments;
    private readonly PartitionGrid?[] _grids;
    private readonly List<IDisposable> _owned;
    private bool _disposed;

    private CoefficientLayout(
        CoefficientLayoutKind kind, string[] blocks, string[] groups, int[] groupOfBlock, int partitions,
        bool[]? adapted = null, Tensor?[]? assignments = null, PartitionGrid?[]? grids = null, List<IDisposable>? owned = null)
    {
        Kind = kind;
        _blocks = blocks;
        _groups = groups;
        _groupOfBlock = groupOfBlock;
        Partitions = partitions;
        _adapted = adapted ?? [.. blocks.Select(_ => true)];
        _assignments = assignments ?? new Tensor?[blocks.Length];
        _grids = grids ?? new PartitionGrid?[blocks.Length];
        _owned = owned ?? [];
    }

    /// <summary>Which layout this is.</summary>
    public CoefficientLayoutKind Kind { get; }

    /// <summary>The blocks, in the canonical order the pool must use.</summary>
    public IReadOnlyList<string> BlockNames => _blocks;

    /// <summary>The coefficient groups (G names); for a partitioned layout, the block names.</summary>
    public IReadOnlyList<string> GroupNames => _groups;

    /// <summary>G.</summary>
    public int GroupCount => _groups.Length;

    /// <summary>K: partitions per block (1 for every layout but <see cref="CoefficientLayoutKind.Partitioned"/>).</summary>
    public int Partitions { get; }

    /// <summary>Whether Λ carries a partition axis ([T, P, K] instead of [T, G]).</summary>
    public bool IsPartitioned => Kind == CoefficientLayoutKind.Partitioned;

    /// <summary>The group (column of Λ) of block <paramref name="block"/>.</summary>
    public int GroupOf(int block) => _groupOfBlock[block];

    /// <summary>Whether Λ changes block <paramref name="block"/> (false only for non-matrix blocks under
    /// <see cref="PartitionBlocks.MatricesOnly"/>).</summary>
    public bool IsAdapted(int block) => _adapted[block];

    /// <summary>The partition of every element of block <paramref name="block"/> (int32, the block's shape, values in
    /// [0, K)); null when the layout is not partitioned or the block is not adapted. Owned by the layout.</summary>
    public Tensor? Assignment(int block)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _assignments[block];
    }

    /// <summary>Block <paramref name="block"/>'s elements grouped by partition; null where <see cref="Assignment"/> is.
    /// Owned by the layout.</summary>
    public PartitionGrid? Grid(int block)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _grids[block];
    }

    /// <summary>The shape of Λ for <paramref name="taskCount"/> task vectors: [T, G], or [T, P, K] when partitioned.</summary>
    public long[] CoefficientShape(int taskCount) =>
        IsPartitioned ? [taskCount, _blocks.Length, Partitions] : [taskCount, _groups.Length];

    /// <summary>A new float32 Λ filled with <paramref name="value"/>. Learned coefficients start at 0, which is the
    /// pretrained (zero-shot) model exactly (docs/method.md §M3.2).</summary>
    public Tensor Create(int taskCount, double value = 0, bool requiresGrad = true, Device? device = null)
    {
        if (taskCount < 1) throw new ArgumentOutOfRangeException(nameof(taskCount), "need at least one task vector");
        using Scalar fill = value.ToScalar();
        return full(CoefficientShape(taskCount), fill, ScalarType.Float32, device, requiresGrad);
    }

    /// <summary>One coefficient per task vector: every block in group 0 (G = 1).</summary>
    public static CoefficientLayout Isotropic(IReadOnlyList<string> blockNames)
    {
        var blocks = CheckNames(blockNames);
        return new(CoefficientLayoutKind.Isotropic, blocks, ["all"], new int[blocks.Length], 1);
    }

    /// <summary>aTLAS: one coefficient per task vector and block (G = P, group j = block j).</summary>
    public static CoefficientLayout Blockwise(IReadOnlyList<string> blockNames)
    {
        var blocks = CheckNames(blockNames);
        return new(CoefficientLayoutKind.Blockwise, blocks, blocks, [.. Enumerable.Range(0, blocks.Length)], 1);
    }

    /// <summary>
    /// One coefficient per task vector and transformer layer: every <c>…resblocks.{i}.*</c> block → group i (layers in
    /// order of first appearance), then one group <see cref="EmbeddingGroup"/> for the input side (class and
    /// positional embeddings, <c>conv1</c>, <c>ln_pre</c>, and anything else outside the residual blocks) and one group
    /// <see cref="OutputGroup"/> for <c>ln_post</c> and <c>proj</c> (and the text tower's <c>ln_final</c> /
    /// <c>text_projection</c> if listed). Groups with no block are left out, so a ViT image tower has layers + 2 groups.
    /// </summary>
    /// <remarks>The released AdaMerging code's "layer-wise" merging learns one coefficient per parameter tensor, which is
    /// <see cref="Blockwise"/> (the task-addition default); this layout is the coarser per-transformer-layer option.</remarks>
    public static CoefficientLayout Layerwise(IReadOnlyList<string> blockNames)
    {
        var blocks = CheckNames(blockNames);
        var layers = new List<string>();
        var keys = new string[blocks.Length];
        for (int j = 0; j < blocks.Length; j++)
        {
            var layer = ResidualLayer().Match(blocks[j]);
            if (layer.Success)
            {
                keys[j] = blocks[j][..(layer.Index + layer.Length - 1)];
                if (!layers.Contains(keys[j])) layers.Add(keys[j]);
            }
            else
            {
                keys[j] = OutputSide().IsMatch(blocks[j]) ? OutputGroup : EmbeddingGroup;
            }
        }
        var groups = new List<string>(layers);
        if (keys.Contains(EmbeddingGroup)) groups.Add(EmbeddingGroup);
        if (keys.Contains(OutputGroup)) groups.Add(OutputGroup);
        return new(CoefficientLayoutKind.Layerwise, blocks, [.. groups], [.. keys.Select(key => groups.IndexOf(key))], 1);
    }

    /// <summary>
    /// aTLAS × K: Λ [T, P, K]; the elements of every adapted block are assigned to K partitions uniformly at random,
    /// drawn once from a <see cref="Generator"/> seeded with <paramref name="seed"/>, block by block in canonical order
    /// (or shape by shape, in order of first appearance, for <see cref="PartitionScope.PerShape"/>). With K = 1 and
    /// <see cref="PartitionBlocks.All"/> the result equals <see cref="Blockwise"/> exactly.
    /// </summary>
    /// <param name="blockNames">The blocks in canonical order.</param>
    /// <param name="blockShapes">Their shapes (<see cref="TaskVectorPool.BlockShapes"/>).</param>
    /// <param name="partitions">K ≥ 1.</param>
    /// <param name="seed">Seed of the partition; the released code draws it unseeded.</param>
    /// <param name="scope"><see cref="PartitionScope.PerTensor"/> (fixed) gives each block its own assignment;
    /// <see cref="PartitionScope.PerShape"/> (released code) shares one assignment among blocks of equal shape.</param>
    /// <param name="blocks"><see cref="PartitionBlocks.All"/> (fixed) adapts every block;
    /// <see cref="PartitionBlocks.MatricesOnly"/> (released code) adapts only 2-D blocks and leaves the rest at θ0.
    /// Λ keeps its [T, P, K] shape either way; the entries of unadapted blocks have no effect.</param>
    /// <param name="device">Where the assignments live (that of the pool's stacks); drawn on the CPU.</param>
    public static CoefficientLayout Partitioned(
        IReadOnlyList<string> blockNames, IReadOnlyList<long[]> blockShapes, int partitions, long seed,
        PartitionScope scope = PartitionScope.PerTensor, PartitionBlocks blocks = PartitionBlocks.All, Device? device = null)
    {
        var names = CheckNames(blockNames);
        ArgumentNullException.ThrowIfNull(blockShapes);
        if (blockShapes.Count != names.Length)
            throw new ArgumentException($"{names.Length} block names but {blockShapes.Count} shapes", nameof(blockShapes));
        if (partitions < 1) throw new ArgumentOutOfRangeException(nameof(partitions), "K must be at least 1");

        var adapted = new bool[names.Length];
        var assignments = new Tensor?[names.Length];
        var grids = new PartitionGrid?[names.Length];
        var owned = new List<IDisposable>();
        var byShape = new Dictionary<string, (Tensor Assignment, PartitionGrid Grid)>(StringComparer.Ordinal);
        using var generator = new Generator(unchecked((ulong)seed));
        using var noGrad = no_grad();
        for (int j = 0; j < names.Length; j++)
        {
            long[] shape = blockShapes[j];
            adapted[j] = blocks == PartitionBlocks.All || shape.Length == 2;
            if (!adapted[j]) continue;
            string key = Shapes.Format(shape);
            if (scope == PartitionScope.PerShape && byShape.TryGetValue(key, out var shared))
            {
                (assignments[j], grids[j]) = shared;
                continue;
            }
            using var disposeScope = NewDisposeScope();
            var drawn = randint(0, partitions, shape, ScalarType.Int32, generator: generator);
            var assignment = (device is null ? drawn : drawn.to(device)).DetachFromDisposeScope();
            var grid = new PartitionGrid(assignment, partitions);
            owned.Add(assignment);
            owned.Add(grid);
            assignments[j] = assignment;
            grids[j] = grid;
            if (scope == PartitionScope.PerShape) byShape[key] = (assignment, grid);
        }
        return new(CoefficientLayoutKind.Partitioned, names, names, [.. Enumerable.Range(0, names.Length)], partitions,
            adapted, assignments, grids, owned);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var owned in _owned) owned.Dispose();
        _owned.Clear();
    }

    private static string[] CheckNames(IReadOnlyList<string> blockNames)
    {
        ArgumentNullException.ThrowIfNull(blockNames);
        if (blockNames.Count == 0) throw new ArgumentException("a coefficient layout needs at least one block", nameof(blockNames));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in blockNames)
            if (!seen.Add(name)) throw new ArgumentException($"block '{name}' is listed twice", nameof(blockNames));
        return [.. blockNames];
    }

    [GeneratedRegex(@"(?:^|\.)resblocks\.\d+\.")]
    private static partial Regex ResidualLayer();

    [GeneratedRegex(@"(?:^|\.)(?:ln_post|ln_final)\.|(?:^|\.)(?:proj|text_projection)$")]
    private static partial Regex OutputSide();
}
