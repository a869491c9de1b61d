using Xunit;

namespace Atlas.Testing;

/// <summary>
/// A fact that runs against a real Slurm (<see cref="SlurmClusterFixture"/>, <see cref="SlurmCluster"/>). It is skipped
/// with the reason when Slurm is not installed and cannot be (not Linux, not root, no apt-get: known when the attribute
/// is made), and at run time when installing or starting the daemons fails (the fixture throws xunit's skip). Never
/// passes without Slurm: with <c>ATLAS_REQUIRE_SLURM=1</c> those skips become failures.
/// </summary>
public sealed class SlurmFactAttribute : SkippableFactAttribute
{
    /// <summary>Whether CI asked for Slurm tests to fail, not skip, when Slurm is unusable.</summary>
    public static bool Required => System.Environment.GetEnvironmentVariable("ATLAS_REQUIRE_SLURM") == "1";

    private static readonly Lazy<string?> Unusable = new(() =>
        SlurmInstallation.ReasonUnusable(
            SlurmInstallation.Programs.Where(program => SlurmInstallation.Find(program) is null).ToList(),
            OperatingSystem.IsLinux(), OperatingSystem.IsLinux() && System.Environment.UserName == "root", SlurmInstallation.Find("apt-get") is not null));

    public SlurmFactAttribute()
    {
        if (!Required && Unusable.Value is { } reason) Skip = reason;
    }
}
