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
    private readonly Lazy<(SlurmCluster? Cluster, string? Reason)> started = new(TryStart, LazyThreadSafetyMode.ExecutionAndPublication);

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

    private static (SlurmCluster?, string?) TryStart()
    {
        try
        {
            return (SlurmCluster.Start(), null);
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
