using static TorchSharp.torch;

namespace Atlas.Data.Tests;

public sealed class SourceCatalogTests
{
    [Theory]
    [InlineData(SourceCatalog.Mnist, 10_000, "zero", "nine")]
    [InlineData(SourceCatalog.FashionMnist, 12_000, "t-shirt", "ankle boot")]
    [InlineData(SourceCatalog.Optdigits, 1_797, "zero", "nine")]
    public void Committed_source_loads_with_its_counts_classes_and_range(string name, int count, string firstClass, string lastClass)
    {
        using ImageSource source = SourceCatalog.Load(name, RepositoryRoot.MiniData);

        Assert.Equal(name, source.Name);
        Assert.Equal([count, 1, 28, 28], source.Images.shape);
        Assert.Equal(ScalarType.Float32, source.Images.dtype);
        Assert.Equal(count, source.Labels.Length);
        Assert.Equal(10, source.ClassNames.Count);
        Assert.Equal(firstClass, source.ClassNames[0]);
        Assert.Equal(lastClass, source.ClassNames[9]);
        Assert.Equal(10, source.Labels.Distinct().Count());
        Assert.True(source.Images.min().item<float>() >= 0f);
        Assert.Equal(1f, source.Images.max().item<float>(), 1e-6f);
        Assert.Matches("^[0-9a-f]{64}$", source.ContentSha256);
    }

    [Fact]
    public void Fashion_subset_is_class_balanced()
    {
        using ImageSource source = SourceCatalog.Load(SourceCatalog.FashionMnist, RepositoryRoot.MiniData);

        Assert.All(source.Labels.GroupBy(label => label), group => Assert.Equal(1200, group.Count()));
    }

    [Fact]
    public void Committed_files_stay_under_ten_megabytes()
    {
        long bytes = MiniDataManifest.Load(RepositoryRoot.MiniData).Sources.Sum(source => source.Images.Bytes + source.Labels.Bytes);

        Assert.InRange(bytes, 1, 10_000_000);
    }

    [Fact]
    public void Unknown_source_lists_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => SourceCatalog.Load("cifar10", RepositoryRoot.MiniData));

        Assert.Contains("cifar10", error.Message);
        Assert.Contains("mnist, fashion_mnist, optdigits", error.Message);
    }

    [Fact]
    public void Tampered_file_fails_naming_the_file()
    {
        using var copy = new TempDirectory();
        CopyMiniData(copy.Path);
        string labels = Path.Combine(copy.Path, "optdigits-labels-idx1-ubyte.gz");
        byte[] content = File.ReadAllBytes(labels);
        content[^5] ^= 0xFF;
        File.WriteAllBytes(labels, content);

        var error = Assert.Throws<InvalidDataException>(() => SourceCatalog.Load(SourceCatalog.Optdigits, copy.Path));

        Assert.Contains(labels, error.Message);
        Assert.Contains("does not match manifest.json", error.Message);
    }

    [Fact]
    public void Missing_file_fails_naming_the_file()
    {
        using var copy = new TempDirectory();
        CopyMiniData(copy.Path);
        string images = Path.Combine(copy.Path, "optdigits-images-idx3-ubyte.gz");
        File.Delete(images);

        var error = Assert.Throws<FileNotFoundException>(() => SourceCatalog.Load(SourceCatalog.Optdigits, copy.Path));

        Assert.Contains(images, error.Message);
    }

    [Fact]
    public void Missing_manifest_fails_naming_it()
    {
        using var empty = new TempDirectory();

        var error = Assert.Throws<FileNotFoundException>(() => SourceCatalog.Load(SourceCatalog.Mnist, empty.Path));

        Assert.Contains(Path.Combine(empty.Path, "manifest.json"), error.Message);
    }

    private static void CopyMiniData(string destination)
    {
        foreach (string file in Directory.GetFiles(RepositoryRoot.MiniData))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }
    }
}
