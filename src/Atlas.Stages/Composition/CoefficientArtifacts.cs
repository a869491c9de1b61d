using System.Globalization;
using System.Text;
using System.Text.Json;
using Atlas.Method.Composition;
using Atlas.Store;
using static TorchSharp.torch;

namespace Atlas.Stages.Composition;

/// <summary>
/// Learned coefficients on disk, always with their names: Λ in safetensors with the task names, the canonical block
/// order and the layout in its header, and the same values as a long-format CSV (task, block, group, partition,
/// coefficient) that a person or a spreadsheet can read.
/// </summary>
public static class CoefficientArtifacts
{
    public static void Write(ExperimentContext context, string safetensorsPath, string csvPath, IReadOnlyList<string> tasks,
        CoefficientLayout layout, Tensor coefficients)
    {
        context.SaveTensors(safetensorsPath, new Dictionary<string, Tensor> { ["coefficients"] = coefficients }, new Dictionary<string, string>
        {
            ["layout"] = layout.Kind.ToString(),
            ["tasks"] = JsonSerializer.Serialize(tasks),
            ["blocks"] = JsonSerializer.Serialize(layout.BlockNames),
            ["groups"] = JsonSerializer.Serialize(layout.GroupNames),
        });
        var table = CoefficientTable.From(tasks, layout, coefficients);
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(",", CoefficientTable.Columns));
        foreach (var row in table.Rows())
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Task},{row.BlockIndex},{row.Block},{row.Group},{row.Partition},{row.Coefficient:R},{(row.Adapted ? "true" : "false")}"));
        AtomicFile.WriteAllText(context.Absolute(csvPath), csv.ToString());
    }

    /// <summary>Reads the coefficient matrix [T, P] (partition 0) with its task and block names, for figures.</summary>
    public static (IReadOnlyList<string> Tasks, IReadOnlyList<string> Blocks, double[,] Values) ReadMatrix(ExperimentContext context, string csvPath)
    {
        var lines = File.ReadAllLines(context.Absolute(csvPath)).Skip(1).Select(l => l.Split(',')).Where(f => f[4] == "0").ToList();
        var tasks = lines.Select(f => f[0]).Distinct().ToList();
        var blocks = lines.Select(f => (Index: int.Parse(f[1], CultureInfo.InvariantCulture), Name: f[2])).Distinct()
            .OrderBy(b => b.Index).Select(b => b.Name).ToList();
        var values = new double[tasks.Count, blocks.Count];
        foreach (var f in lines)
            values[tasks.IndexOf(f[0]), int.Parse(f[1], CultureInfo.InvariantCulture)] = double.Parse(f[5], CultureInfo.InvariantCulture);
        return (tasks, blocks, values);
    }
}
