using static TorchSharp.torch;

namespace Atlas.Method.Composition;

/// <summary>
/// A snapshot of Λ as a named table — task names × block names (in recorded canonical order) × K partitions — for
/// artifacts and heat-maps. Coefficients shared by a group appear under every block of the group. Values are copied
/// (float64); the table holds no tensors and does no I/O: callers write <see cref="Columns"/> and <see cref="Rows"/>.
/// </summary>
public sealed class CoefficientTable
{
    private readonly double[,,] _groupValues; // [T, G, K]
    private readonly int[] _groupOfBlock;
    private readonly bool[] _adapted;

    private CoefficientTable(
        CoefficientLayoutKind kind, string[] tasks, string[] blocks, string[] groups, int[] groupOfBlock, bool[] adapted,
        double[,,] groupValues)
    {
        Kind = kind;
        TaskNames = tasks;
        BlockNames = blocks;
        GroupNames = groups;
        _groupOfBlock = groupOfBlock;
        _adapted = adapted;
        _groupValues = groupValues;
    }

    /// <summary>Header of <see cref="Rows"/>.</summary>
    public static IReadOnlyList<string> Columns { get; } =
        ["task", "block_index", "block", "group", "partition", "coefficient", "adapted"];

    /// <summary>The layout the coefficients came from.</summary>
    public CoefficientLayoutKind Kind { get; }

    /// <summary>Row labels (T).</summary>
    public IReadOnlyList<string> TaskNames { get; }

    /// <summary>Column labels (P), in the canonical block order of the pool and layout.</summary>
    public IReadOnlyList<string> BlockNames { get; }

    /// <summary>The layout's coefficient groups (G).</summary>
    public IReadOnlyList<string> GroupNames { get; }

    /// <summary>K (1 unless aTLAS × K).</summary>
    public int Partitions => _groupValues.GetLength(2);

    /// <summary>Copies Λ into a table labelled by <paramref name="taskNames"/> and the layout's blocks.</summary>
    public static CoefficientTable From(IReadOnlyList<string> taskNames, CoefficientLayout layout, Tensor coefficients)
    {
        ArgumentNullException.ThrowIfNull(taskNames);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(coefficients);
        var expected = layout.CoefficientShape(taskNames.Count);
        if (!Shapes.Same(coefficients.shape, expected))
            throw new ArgumentException(
                $"{layout.Kind} coefficients for {taskNames.Count} tasks must have shape {Shapes.Format(expected)}, got {Shapes.Format(coefficients.shape)}",
                nameof(coefficients));
        int tasks = taskNames.Count, groups = (int)expected[1], partitions = layout.Partitions;
        double[] flat;
        using (var scope = NewDisposeScope())
            flat = coefficients.detach().to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
        var values = new double[tasks, groups, partitions];
        for (int t = 0; t < tasks; t++)
            for (int g = 0; g < groups; g++)
                for (int k = 0; k < partitions; k++)
                    values[t, g, k] = flat[(t * groups + g) * partitions + k];
        int blocks = layout.BlockNames.Count;
        return new CoefficientTable(layout.Kind, [.. taskNames], [.. layout.BlockNames], [.. layout.GroupNames],
            [.. Enumerable.Range(0, blocks).Select(layout.GroupOf)], [.. Enumerable.Range(0, blocks).Select(layout.IsAdapted)], values);
    }

    /// <summary>Λ for task <paramref name="task"/>, block <paramref name="block"/> (canonical index), partition
    /// <paramref name="partition"/>.</summary>
    public double Value(int task, int block, int partition = 0) => _groupValues[task, _groupOfBlock[block], partition];

    /// <summary>Group of block <paramref name="block"/> (index into <see cref="GroupNames"/>).</summary>
    public int GroupOf(int block) => _groupOfBlock[block];

    /// <summary>Whether the coefficients act on block <paramref name="block"/>.</summary>
    public bool IsAdapted(int block) => _adapted[block];

    /// <summary>Heat-map matrix [T, P] of one partition.</summary>
    public double[,] Matrix(int partition = 0)
    {
        var matrix = new double[TaskNames.Count, BlockNames.Count];
        for (int t = 0; t < TaskNames.Count; t++)
            for (int j = 0; j < BlockNames.Count; j++)
                matrix[t, j] = Value(t, j, partition);
        return matrix;
    }

    /// <summary>Long-format rows: task-major, then block in canonical order, then partition.</summary>
    public IReadOnlyList<CoefficientRow> Rows()
    {
        var rows = new List<CoefficientRow>(TaskNames.Count * BlockNames.Count * Partitions);
        for (int t = 0; t < TaskNames.Count; t++)
            for (int j = 0; j < BlockNames.Count; j++)
                for (int k = 0; k < Partitions; k++)
                    rows.Add(new CoefficientRow(TaskNames[t], j, BlockNames[j], GroupNames[_groupOfBlock[j]], k, Value(t, j, k), _adapted[j]));
        return rows;
    }
}
