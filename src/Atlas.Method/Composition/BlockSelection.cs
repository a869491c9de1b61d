namespace Atlas.Method.Composition;

/// <summary>
/// Task-vector selection under a memory budget (docs/method.md §M3.4): given the informativeness I[t, j] of task vector t for
/// block j (the magnitude of the coefficient gradient accumulated at Λ = 0), keep only n task vectors' worth of
/// blocks. The result is a source-task table for <see cref="TaskVectorPool.Mix"/> (blockwise) or a list of tasks for
/// <see cref="TaskVectorPool.SelectTasks"/> (whole vectors). Ties go to the lower task index, so the ranking is
/// deterministic.
/// </summary>
public static class BlockSelection
{
    /// <summary>
    /// Blockwise selection: for every block j independently, the tasks ranked by I[:, j] in descending order; mixed task
    /// vector i takes block j from the task ranked i-th for that block.
    /// </summary>
    /// <param name="informativeness">I [T, P], finite and non-negative.</param>
    /// <param name="budget">n, 1 ≤ n ≤ T: the number of mixed task vectors.</param>
    /// <returns>[n, P] source-task indices.</returns>
    public static int[,] Blockwise(double[,] informativeness, int budget)
    {
        int tasks = Check(informativeness, budget), blocks = informativeness.GetLength(1);
        var table = new int[budget, blocks];
        for (int j = 0; j < blocks; j++)
        {
            int column = j;
            var ranked = Ranked(tasks, t => informativeness[t, column]);
            for (int i = 0; i < budget; i++) table[i, j] = ranked[i];
        }
        return table;
    }

    /// <summary>Whole-vector selection: the n tasks with the highest mean informativeness over blocks, best first.</summary>
    /// <param name="informativeness">I [T, P], finite and non-negative.</param>
    /// <param name="budget">n, 1 ≤ n ≤ T.</param>
    public static int[] WholeVectors(double[,] informativeness, int budget)
    {
        int tasks = Check(informativeness, budget), blocks = informativeness.GetLength(1);
        return Ranked(tasks, t => Enumerable.Range(0, blocks).Average(j => informativeness[t, j]))[..budget];
    }

    private static int[] Ranked(int tasks, Func<int, double> score) =>
        [.. Enumerable.Range(0, tasks).OrderByDescending(score).ThenBy(t => t)];

    private static int Check(double[,] informativeness, int budget)
    {
        ArgumentNullException.ThrowIfNull(informativeness);
        int tasks = informativeness.GetLength(0);
        if (tasks == 0 || informativeness.GetLength(1) == 0)
            throw new ArgumentException("the informativeness table is empty", nameof(informativeness));
        if (budget < 1 || budget > tasks)
            throw new ArgumentOutOfRangeException(nameof(budget), budget, $"the budget must be between 1 and the {tasks} task vectors");
        foreach (double value in informativeness)
            if (!double.IsFinite(value) || value < 0)
                throw new ArgumentException($"informativeness must be finite and non-negative, got {value}", nameof(informativeness));
        return tasks;
    }
}
