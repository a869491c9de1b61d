using System.Text.Json;
using Atlas.Store;

namespace Atlas.Stages.Tests;

/// <summary>
/// The mini profile's lock parameters are what decide whether a user's existing artifacts are still up to date. New
/// spec fields at their defaults (device, gradient accumulation, …) must leave every stage's parameter hash as it was,
/// or every user of the mini would rerun the whole graph for nothing.
/// </summary>
public sealed class MiniLockHashTests
{
    private static readonly string FixturePath =
        Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Stages.Tests", "Fixtures", "MiniLocks", "params-hashes.json");

    [Fact]
    public void Mini_stages_keep_the_parameter_hashes_recorded_before_the_gpu_options()
    {
        var actual = MiniParamsHashes();
        if (Environment.GetEnvironmentVariable("ATLAS_UPDATE_MINI_LOCKS") == "1")
            File.WriteAllText(FixturePath, JsonSerializer.Serialize(actual, new JsonSerializerOptions { WriteIndented = true }) + "\n");

        var expected = JsonSerializer.Deserialize<SortedDictionary<string, string>>(File.ReadAllText(FixturePath))!;
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (stage, hash) in expected)
            Assert.True(actual.TryGetValue(stage, out var now) && now == hash, $"{stage}: params hash {now} != recorded {hash}");
    }

    private static SortedDictionary<string, string> MiniParamsHashes()
    {
        using var session = ExperimentSession.Open(Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml"), TextWriter.Null, RepositoryRoot.Path);
        return new SortedDictionary<string, string>(
            session.Stages.ToDictionary(s => s.Id, s => ContentHash.OfJson(session.LockParameters(s))), StringComparer.Ordinal);
    }
}
