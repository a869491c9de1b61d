using System.Globalization;
using System.IO.Compression;
using System.Text;
using Atlas.Data.Formats;

namespace Atlas.Data.Tests;

/// <summary>Runs the importer on tiny stand-ins for the three extracted packages.</summary>
public sealed class MiniDataImporterTests : IDisposable
{
    private const int MnistPerDigit = 2;
    private readonly TempDirectory _temp = new();

    public MiniDataImporterTests()
    {
        WriteMnistPackage(Path.Combine(_temp.Path, "mnist"));
        WriteFashionPackage(Path.Combine(_temp.Path, "fashion"));
        WriteSklearnPackage(Path.Combine(_temp.Path, "sklearn"));
    }

    public void Dispose() => _temp.Dispose();

    private MiniDataManifest Import(string output) => MiniDataImporter.Import(
        Path.Combine(_temp.Path, "mnist"), Path.Combine(_temp.Path, "fashion"), Path.Combine(_temp.Path, "sklearn"), Path.Combine(_temp.Path, output));

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)] // about 3 s (measured on 2 cores)
    public void Import_is_byte_for_byte_deterministic()
    {
        Import("first");
        Import("second");

        string[] files = Directory.GetFiles(Path.Combine(_temp.Path, "first")).Select(Path.GetFileName).Order().ToArray()!;
        Assert.Equal(7, files.Length);
        foreach (string file in files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(_temp.Path, "first", file)), File.ReadAllBytes(Path.Combine(_temp.Path, "second", file)));
        }
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)] // about 8 s (measured on 2 cores)
    public void Manifest_records_provenance_and_the_output_loads()
    {
        MiniDataManifest manifest = Import("out");
        string root = Path.Combine(_temp.Path, "out");

        Assert.Equal(manifest, MiniDataManifest.Load(root), new JsonEquality());
        MiniSourceEntry fashion = manifest.Sources.Single(source => source.Name == SourceCatalog.FashionMnist);
        Assert.Equal("7.7-1", fashion.Package.Version);
        Assert.Equal(MiniDataImporter.FashionSelectionSeed, fashion.Selection.Seed);
        Assert.Equal(Enumerable.Repeat(MiniDataImporter.FashionImagesPerClass, 10), fashion.Selection.CountsPerClass);
        Assert.Equal("1.2.1+dfsg-1", manifest.Sources.Single(source => source.Name == SourceCatalog.Optdigits).Package.Version);

        using ImageSource mnist = SourceCatalog.Load(SourceCatalog.Mnist, root);
        Assert.Equal(Enumerable.Range(0, 10).SelectMany(digit => Enumerable.Repeat((long)digit, MnistPerDigit)), mnist.Labels);
        // The JSON holds byte / 255 to three decimals; the importer recovers every original byte exactly.
        float[] firstImage = mnist.Images[0].reshape(-1).data<float>().ToArray();
        Assert.Equal(Enumerable.Range(0, 784).Select(i => (float)(i * 7 % 256) / 255f), firstImage);

        using ImageSource fashionSource = SourceCatalog.Load(SourceCatalog.FashionMnist, root);
        Assert.Equal(12_000, fashionSource.Count);
        using ImageSource optdigits = SourceCatalog.Load(SourceCatalog.Optdigits, root);
        Assert.Equal(20, optdigits.Count);
    }

    private static void WriteMnistPackage(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "package/src/digits"));
        File.WriteAllText(Path.Combine(root, "package/package.json"), """{ "name": "mnist", "version": "1.1.0", "license": "MIT" }""");
        for (int digit = 0; digit < 10; digit++)
        {
            // As the real package: byte / 255 rounded to three decimals.
            var values = Enumerable.Range(0, MnistPerDigit * 784)
                .Select(i => Math.Round(((i * 7) + digit) % 256 / 255.0, 3).ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(root, $"package/src/digits/{digit}.json"), "{\"data\":[" + string.Join(",", values) + "]}");
        }
    }

    private static void WriteFashionPackage(string root)
    {
        WriteChangelog(root, "dataset-fashion-mnist", "dataset-fashion-mnist (7.7-1) unstable; urgency=medium");
        string folder = Path.Combine(root, "usr/share/datasets/fashion-mnist");
        foreach ((string part, int perClass) in new[] { ("train", 1_100), ("t10k", 200) })
        {
            int count = perClass * 10;
            byte[] labels = Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
            byte[] pixels = new byte[count * 784];
            for (int i = 0; i < count; i++)
            {
                pixels[i * 784] = (byte)i;
            }
            IdxWriter.WriteGzipped(Path.Combine(folder, $"{part}-images-idx3-ubyte.gz"), new IdxArray([count, 28, 28], pixels));
            IdxWriter.WriteGzipped(Path.Combine(folder, $"{part}-labels-idx1-ubyte.gz"), new IdxArray([count], labels));
        }
    }

    private static void WriteSklearnPackage(string root)
    {
        WriteChangelog(root, "python3-sklearn", "scikit-learn (1.2.1+dfsg-1) unstable; urgency=medium");
        var rows = Enumerable.Range(0, 20).Select(row => string.Join(",", Enumerable.Range(0, 64).Select(i => (i + row) % 17).Append(row % 10)));
        WriteGzippedText(Path.Combine(root, "usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"), string.Join("\n", rows) + "\n");
    }

    private static void WriteChangelog(string root, string package, string firstLine) =>
        WriteGzippedText(Path.Combine(root, $"usr/share/doc/{package}/changelog.Debian.gz"), firstLine + "\n\n  * Entry.\n");

    private static void WriteGzippedText(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Optimal);
        gzip.Write(Encoding.UTF8.GetBytes(text));
    }

    private sealed class JsonEquality : IEqualityComparer<MiniDataManifest>
    {
        public bool Equals(MiniDataManifest? x, MiniDataManifest? y) => x?.ToJson() == y?.ToJson();

        public int GetHashCode(MiniDataManifest obj) => obj.ToJson().GetHashCode();
    }
}
