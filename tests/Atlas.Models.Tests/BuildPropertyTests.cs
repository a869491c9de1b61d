using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Atlas.Models.Tests;

/// <summary>
/// <c>-p:TorchBackend=cuda</c> swaps the libtorch package the projects reference (README, "GPU: building with CUDA").
/// The CUDA package is not served here, so the switch is checked by evaluating the project files (no restore needed);
/// the default evaluation must be exactly what it was.
/// </summary>
public sealed class BuildPropertyTests
{
    private static readonly string[] LibTorchProjects = ["Atlas.Data", "Atlas.Models", "Atlas.Method"];

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)] // three msbuild evaluations, a few seconds each
    public void Default_build_references_the_cpu_libtorch_only()
    {
        foreach (var project in LibTorchProjects)
        {
            var references = PackageReferences(project);
            Assert.Contains("libtorch-cpu-linux-x64", references);
            Assert.DoesNotContain(references, r => r.Contains("cuda", StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Cuda_backend_references_libtorch_cuda_12_8_at_2_10_0_instead()
    {
        foreach (var project in LibTorchProjects)
        {
            var references = PackageReferences(project, "-p:TorchBackend=cuda");
            Assert.Contains("libtorch-cuda-12.8-linux-x64", references);
            Assert.Contains("TorchSharp", references);
            Assert.DoesNotContain("libtorch-cpu-linux-x64", references);
        }
        var versions = Items("Atlas.Models", "PackageVersion", "-p:TorchBackend=cuda");
        Assert.Equal("2.10.0", versions.Single(v => v.Identity == "libtorch-cuda-12.8-linux-x64").Version);
        Assert.Equal("2.10.0", versions.Single(v => v.Identity == "libtorch-cpu-linux-x64").Version);
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public void Unknown_backend_is_a_build_error()
    {
        var (exitCode, output) = MsBuild("Atlas.Models", "-t:CheckTorchBackend", "-p:TorchBackend=rocm");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("TorchBackend must be 'cpu' (the default) or 'cuda', got 'rocm'.", output);
    }

    private static List<string> PackageReferences(string project, params string[] properties) =>
        Items(project, "PackageReference", properties).Select(i => i.Identity).ToList();

    private static List<(string Identity, string? Version)> Items(string project, string itemType, params string[] properties)
    {
        var (exitCode, output) = MsBuild(project, [$"-getItem:{itemType}", .. properties]);
        Assert.True(exitCode == 0, output);
        var items = JsonNode.Parse(output)!["Items"]![itemType]!.AsArray();
        return items.Select(i => (i!["Identity"]!.GetValue<string>(), i["Version"]?.GetValue<string>())).ToList();
    }

    private static (int ExitCode, string Output) MsBuild(string project, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("msbuild");
        start.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, "src", project, $"{project}.csproj"));
        start.ArgumentList.Add("-nologo");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
