using Xunit;

namespace Atlas.Testing;

/// <summary>
/// An xUnit class or collection fixture holding one <see cref="SlurmCluster"/> for the tests that share it. When Slurm
/// cannot be installed or started, the fixture keeps the reason and each test that asks for <see cref="Cluster"/> is
/// reported as SKIPPED with it (the test must be a <see cref="SlurmFactAttribute"/>), never passed. With the environment
/// variable <c>ATLAS_REQUIRE_SLURM=1</c> (CI, where Slurm is part of the setup) such a test fails instead.
/// </summary>
public sealed class SlurmClusterFixture : IDisposable
{
    private readonly Lazy<(SlurmCluster? Cluster, string? Reason)> started;

    /// <summary>The fixture xunit makes: it starts a <see cref="SlurmCluster"/> with the default settings on first use.</summary>
    public SlurmClusterFixture()
        : this(() => SlurmCluster.Start())
    {
    }

    // Private: xunit requires a fixture to have one public constructor.
    private SlurmClusterFixture(Func<SlurmCluster> start) =>
        started = new(() => TryStart(start), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A fixture whose cluster comes from <paramref name="start"/> (the skip path is tested with a failing one).</summary>
    public static SlurmClusterFixture StartingWith(Func<SlurmCluster> start) => new(start);

    /// <summary>The running cluster, started on first use; skips (or, required, fails) the calling test when unusable.</summary>
    public SlurmCluster Cluster
    {
        get
        {
            var (cluster, reason) = started.Value;
            if (cluster is not null) return cluster;
            if (SlurmFactAttribute.Required) throw new SlurmUnavailableException($"ATLAS_REQUIRE_SLURM=1 but Slurm is unusable: {reason}");
            throw new SkipException(reason);
        }
    }

    private static (SlurmCluster?, string?) TryStart(Func<SlurmCluster> start)
    {
        try
        {
            return (start(), null);
        }
        catch (SlurmUnavailableException e)
        {
            return (null, e.Message);
        }
    }

    public void Dispose()
    {
        if (started.IsValueCreated) started.Value.Cluster?.Dispose();
    }
}
