namespace Atlas.Testing.Tests;

/// <summary>When Slurm cannot be used, the tests say why and are skipped, never passed.</summary>
public sealed class SlurmSkipTests
{
    [Fact]
    public void Nothing_missing_is_usable()
    {
        Assert.Null(SlurmInstallation.ReasonUnusable([], isLinux: true, isRoot: false, hasAptGet: false));
    }

    [Fact]
    public void Missing_programs_are_installable_as_root_with_apt_get()
    {
        Assert.Null(SlurmInstallation.ReasonUnusable(["munged", "slurmctld"], isLinux: true, isRoot: true, hasAptGet: true));
    }

    [Fact]
    public void Missing_programs_without_root_name_the_programs_and_the_install_script()
    {
        Assert.Equal("Slurm is not installed (munged, slurmctld missing) and installing it needs root: run build/install-slurm.sh",
            SlurmInstallation.ReasonUnusable(["munged", "slurmctld"], isLinux: true, isRoot: false, hasAptGet: true));
    }

    [Fact]
    public void Missing_programs_without_apt_get_name_the_packages()
    {
        Assert.Equal("Slurm is not installed (slurmd missing) and there is no apt-get to install munge slurmd slurmctld slurm-client",
            SlurmInstallation.ReasonUnusable(["slurmd"], isLinux: true, isRoot: true, hasAptGet: false));
    }

    [Fact]
    public void Not_linux_is_unusable()
    {
        Assert.Equal("needs Linux (Debian's Slurm packages)", SlurmInstallation.ReasonUnusable([], isLinux: false, isRoot: true, hasAptGet: true));
    }

    [SkippableFact]
    public void A_cluster_that_fails_to_start_skips_each_test_with_the_reason()
    {
        Skip.If(SlurmFactAttribute.Required, "ATLAS_REQUIRE_SLURM=1 turns this skip into a failure");
        int starts = 0;
        using var fixture = SlurmClusterFixture.StartingWith(() =>
        {
            starts++;
            throw new SlurmUnavailableException("slurmd did not start: exited 1");
        });
        Assert.Equal("slurmd did not start: exited 1", Assert.Throws<SkipException>(() => fixture.Cluster).Message);
        Assert.Equal("slurmd did not start: exited 1", Assert.Throws<SkipException>(() => fixture.Cluster).Message);
        Assert.Equal(1, starts);
    }
}
