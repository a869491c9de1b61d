using static TorchSharp.torch;

namespace Atlas.Method.Composition;

/// <summary>
/// T frozen task vectors over an explicit, canonical list of P parameter blocks (for the image tower, use
/// <c>ClipParameterNames.Visual(config)</c>). Blocks are matched by name, never by position (docs/method.md §M7 trap 2), and every
/// task vector must hold every block with the shape of the pretrained weight θ0. Per block the pool keeps one stack
/// [T, ...shape] in float32, built once and never requiring gradients, so composition is differentiable only with
/// respect to the coefficients. Entries of a task vector that are not blocks of the pool are ignored.
/// </summary>
/// <remarks>The pool owns its stacks: tensors returned by <see cref="Stack(int)"/> must not be disposed by the caller
/// and die with <see cref="Dispose"/>. The input tensors are copied and may be disposed after construction.</remarks>
public sealed class TaskVectorPool : IDisposable
{
    private readonly string[] _blocks;
    private readonly string[] _tasks;
    private readonly long[][] _shapes;
    private readonly Tensor[] _stacks;
    private readonly Dictionary<string, int> _blockIndex;
    private readonly Dictionary<string, int> _taskIndex;
    private bool _disposed;

    /// <summary>Builds the pool, validating every task vector against θ0 before anything is allocated.</summary>
    /// <param name="pretrained">θ0 by parameter name; supplies the expected shape of every block.</param>
    /// <param name="blockNames">The P blocks in canonical order (distinct names).</param>
    /// <param name="taskVectors">T named task vectors τ_t = θ_ft − θ0 by parameter name (any floating dtype; stored as
    /// float32).</param>
    /// <param name="device">Where the stacks live; defaults to the device of θ0's first block.</param>
    /// <exception cref="KeyNotFoundException">θ0 or a task vector lacks a block (the message names task and block).</exception>
    /// <exception cref="ArgumentException">Empty or duplicate names, or a block whose shape differs from θ0's (the
    /// message names task and block).</exception>
    public TaskVectorPool(
        IReadOnlyDictionary<string, Tensor> pretrained,
        IReadOnlyList<string> blockNames,
        IReadOnlyList<(string Name, IReadOnlyDictionary<string, Tensor> Deltas)> taskVectors,
        Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentNullException.ThrowIfNull(blockNames);
        ArgumentNullException.ThrowIfNull(taskVectors);
        _blocks = [.. blockNames];
        _tasks = [.. taskVectors.Select(task => task.Name)];
        _blockIndex = IndexNames(_blocks, "block");
        _taskIndex = IndexNames(_tasks, "task");

        _shapes = new long[_blocks.Length][];
        for (int j = 0; j < _blocks.Length; j++)
        {
            string block = _blocks[j];
            if (!pretrained.TryGetValue(block, out var baseWeight))
                throw new KeyNotFoundException($"block '{block}' is missing from the pretrained weights");
            _shapes[j] = baseWeight.shape;
        }
        foreach (var (task, deltas) in taskVectors)
        {
            ArgumentNullException.ThrowIfNull(deltas, $"task vector '{task}'");
            for (int j = 0; j < _blocks.Length; j++)
            {
                string block = _blocks[j];
                if (!deltas.TryGetValue(block, out var delta))
                    throw new KeyNotFoundException($"task vector '{task}': block '{block}' is missing");
                if (!Shapes.Same(delta.shape, _shapes[j]))
                    throw new ArgumentException(
                        $"task vector '{task}': block '{block}' has shape {Shapes.Format(delta.shape)}, but θ0 has {Shapes.Format(_shapes[j])}");
                if (!delta.is_floating_point())
                    throw new ArgumentException($"task vector '{task}': block '{block}' has non-floating dtype {delta.dtype}");
            }
        }

        var target = device ?? pretrained[_blocks[0]].device;
        _stacks = new Tensor[_blocks.Length];
        using var noGrad = no_grad();
        for (int j = 0; j < _blocks.Length; j++)
        {
            using var scope = NewDisposeScope();
            var parts = taskVectors.Select(task => task.Deltas[_blocks[j]].detach().to(ScalarType.Float32, target)).ToArray();
            _stacks[j] = stack(parts).DetachFromDisposeScope();
        }
    }

    private TaskVectorPool(string[] blocks, string[] tasks, long[][] shapes, Tensor[] stacks)
    {
        _blocks = blocks;
        _tasks = tasks;
        _shapes = shapes;
        _stacks = stacks;
        _blockIndex = IndexNames(blocks, "block");
        _taskIndex = IndexNames(tasks, "task");
    }

    /// <summary>The P block names in canonical order; block j of every stack and coefficient refers to this list.</summary>
    public IReadOnlyList<string> BlockNames => _blocks;

    /// <summary>The T task names; row t of every stack and coefficient refers to this list.</summary>
    public IReadOnlyList<string> TaskNames => _tasks;

    /// <summary>The shape of every block (that of θ0), in <see cref="BlockNames"/> order.</summary>
    public IReadOnlyList<long[]> BlockShapes => _shapes;

    /// <summary>T.</summary>
    public int TaskCount => _tasks.Length;

    /// <summary>P.</summary>
    public int BlockCount => _blocks.Length;

    /// <summary>Number of scalar entries over all blocks of one task vector.</summary>
    public long ElementCount => _stacks.Sum(s => s.numel()) / Math.Max(1, _tasks.Length);

    /// <summary>Position of a block in <see cref="BlockNames"/>.</summary>
    public int IndexOfBlock(string block) =>
        _blockIndex.TryGetValue(block, out int j) ? j : throw new KeyNotFoundException($"block '{block}' is not in the pool");

    /// <summary>Position of a block in <see cref="BlockNames"/>, if the pool has it.</summary>
    public bool TryGetBlockIndex(string block, out int index) => _blockIndex.TryGetValue(block, out index);

    /// <summary>Position of a task in <see cref="TaskNames"/>.</summary>
    public int IndexOfTask(string task) =>
        _taskIndex.TryGetValue(task, out int t) ? t : throw new KeyNotFoundException($"task vector '{task}' is not in the pool");

    /// <summary>The frozen float32 stack [T, ...shape] of block <paramref name="block"/>; owned by the pool.</summary>
    public Tensor Stack(int block)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _stacks[block];
    }

    /// <summary>The frozen float32 stack [T, ...shape] of the named block; owned by the pool.</summary>
    public Tensor Stack(string block) => Stack(IndexOfBlock(block));

    /// <summary>
    /// A new pool of mixed task vectors: new task i's block j is block j of source task <c>sourceTask[i, j]</c>.
    /// Whole-vector selection repeats one index along a row; the "blockwise selection" of docs/method.md §M3.4 ranks the
    /// tasks per block.
    /// </summary>
    /// <param name="taskNames">Names of the new task vectors (one per row of <paramref name="sourceTask"/>).</param>
    /// <param name="sourceTask">[new tasks, P] indices into <see cref="TaskNames"/>.</param>
    public TaskVectorPool Mix(IReadOnlyList<string> taskNames, int[,] sourceTask)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(taskNames);
        ArgumentNullException.ThrowIfNull(sourceTask);
        int count = sourceTask.GetLength(0);
        if (count != taskNames.Count || sourceTask.GetLength(1) != BlockCount)
            throw new ArgumentException(
                $"expected a [{taskNames.Count}, {BlockCount}] source-task table, got [{count}, {sourceTask.GetLength(1)}]", nameof(sourceTask));
        foreach (int t in sourceTask)
            if (t < 0 || t >= TaskCount) throw new ArgumentOutOfRangeException(nameof(sourceTask), $"task index {t} is outside [0, {TaskCount})");

        var stacks = new Tensor[BlockCount];
        using var noGrad = no_grad();
        for (int j = 0; j < BlockCount; j++)
        {
            using var scope = NewDisposeScope();
            var rows = Enumerable.Range(0, count).Select(i => (long)sourceTask[i, j]).ToArray();
            stacks[j] = _stacks[j].index_select(0, tensor(rows, device: _stacks[j].device)).DetachFromDisposeScope();
        }
        return new TaskVectorPool(_blocks, [.. taskNames], _shapes, stacks);
    }

    /// <summary>A new pool with the whole task vectors <paramref name="tasks"/> (indices into <see cref="TaskNames"/>).</summary>
    public TaskVectorPool SelectTasks(IReadOnlyList<int> tasks)
    {
        var table = WholeVectorTable(tasks); // validates the indices before they name anything
        return Mix([.. tasks.Select(t => _tasks[t])], table);
    }

    /// <summary>The <see cref="Mix"/> table of whole task vectors: row i takes every block from task
    /// <paramref name="tasks"/>[i].</summary>
    public int[,] WholeVectorTable(IReadOnlyList<int> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var table = new int[tasks.Count, BlockCount];
        for (int i = 0; i < tasks.Count; i++)
        {
            if (tasks[i] < 0 || tasks[i] >= TaskCount)
                throw new ArgumentOutOfRangeException(nameof(tasks), $"task index {tasks[i]} is outside [0, {TaskCount})");
            for (int j = 0; j < BlockCount; j++) table[i, j] = tasks[i];
        }
        return table;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var stack in _stacks) stack.Dispose();
    }

    private static Dictionary<string, int> IndexNames(string[] names, string what)
    {
        if (names.Length == 0) throw new ArgumentException($"a task-vector pool needs at least one {what}");
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            if (string.IsNullOrEmpty(names[i])) throw new ArgumentException($"{what} {i} has an empty name");
            if (!index.TryAdd(names[i], i)) throw new ArgumentException($"{what} '{names[i]}' is listed twice");
        }
        return index;
    }
}
