using System.Text.Json;
using Atlas.Store;

namespace Atlas.Stages.Tests;

/// <summary>
/// The mini experiment's lock parameters are what the code before spec imports hashed: the hashes of a finished mini
/// run (Fixtures/MiniLockParameters, extracted from its lock records) are recomputed for every stage, so the new spec
/// fields and the file-backbone parameter leave every mini artifact up to date.
/// </summary>
public sealed class MiniLockParameterTests
{
    [Fact]
    public void Every_mini_stage_hashes_its_parameters_as_before_spec_imports()
    {
        var fixture = Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Stages.Tests", "Fixtures", "MiniLockParameters", "params_hashes.json");
        var expected = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(fixture))!;
        using var session = ExperimentSession.Open(Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml"), new StringWriter(), RepositoryRoot.Path);

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), session.Stages.Select(s => s.Id).Order(StringComparer.Ordinal));
        var differing = session.Stages
            .Where(s => ContentHash.OfJson(session.LockParameters(s.Id)) != expected[s.Id])
            .Select(s => s.Id)
            .ToList();
        Assert.True(differing.Count == 0, $"parameters hash differently: {string.Join(", ", differing)}");
        Assert.Equal(66, expected.Count);
    }
}
