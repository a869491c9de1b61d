using System.Buffers.Binary;
using SkiaSharp;

namespace Atlas.Stages.Tests.Support;

/// <summary>
/// A data root holding two of the paper's datasets in the layouts their readers expect, small enough for seconds-long
/// stages: EuroSAT (<c>EuroSAT_splits/{train,val,test}/&lt;class&gt;/*.jpg</c>, real JPEGs encoded by SkiaSharp, its own
/// validation split) and MNIST (the four uncompressed IDX files under <c>MNIST/raw/</c>, 28 × 28 grey, validation carved
/// by the seeded random split). Each image's colour or stroke depends on its class, so the sets are learnable.
/// </summary>
internal sealed class PaperMicroData : IDisposable
{
    /// <summary>EuroSAT's class folders, in the reader's (sorted) order.</summary>
    public static readonly string[] EuroSatFolders =
        ["AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial", "Pasture", "PermanentCrop", "Residential", "River", "SeaLake"];

    /// <summary>Images per EuroSAT class folder in train, val and test.</summary>
    public const int EuroSatTrain = 3, EuroSatVal = 2, EuroSatTest = 2;

    /// <summary>MNIST's training and test images (the training split loses ⌊0.1 n⌋ to validation).</summary>
    public const int MnistTrain = 60, MnistTest = 20;

    public PaperMicroData()
    {
        Root = Directory.CreateTempSubdirectory("atlas-paper-data-").FullName;
        for (int c = 0; c < EuroSatFolders.Length; c++)
        {
            WriteEuroSat("train", c, EuroSatTrain);
            WriteEuroSat("val", c, EuroSatVal);
            WriteEuroSat("test", c, EuroSatTest);
        }
        string raw = Directory.CreateDirectory(Path.Combine(Root, "MNIST", "raw")).FullName;
        WriteMnist(Path.Combine(raw, "train-images-idx3-ubyte"), Path.Combine(raw, "train-labels-idx1-ubyte"), MnistTrain, 1);
        WriteMnist(Path.Combine(raw, "t10k-images-idx3-ubyte"), Path.Combine(raw, "t10k-labels-idx1-ubyte"), MnistTest, 2);
    }

    /// <summary>The data root (absolute).</summary>
    public string Root { get; }

    /// <summary>The path of EuroSAT's <paramref name="index"/>-th image of class <paramref name="classIndex"/> in <paramref name="split"/>.</summary>
    public string EuroSatImage(string split, int classIndex, int index) =>
        Path.Combine(Root, "EuroSAT_splits", split, EuroSatFolders[classIndex], $"{EuroSatFolders[classIndex]}_{index}.jpg");

    /// <summary>Writes one more EuroSAT JPEG (a change of the dataset on disk); returns its path.</summary>
    public string AddEuroSatImage(string split, int classIndex, int index)
    {
        string path = EuroSatImage(split, classIndex, index);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(40, 36);
        var random = new Random(classIndex * 1000 + index + split.Length * 97);
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                // The class sets the hue; noise makes every image different.
                byte r = (byte)Math.Clamp(25 * classIndex + random.Next(-20, 20), 0, 255);
                byte g = (byte)Math.Clamp(255 - 25 * classIndex + random.Next(-20, 20), 0, 255);
                byte b = (byte)Math.Clamp((x * 6) + random.Next(-20, 20), 0, 255);
                bitmap.SetPixel(x, y, new SKColor(r, g, b));
            }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    private void WriteEuroSat(string split, int classIndex, int count)
    {
        for (int i = 0; i < count; i++) AddEuroSatImage(split, classIndex, i);
    }

    private static void WriteMnist(string imagesPath, string labelsPath, int count, int seed)
    {
        const int side = 28;
        var random = new Random(seed);
        var images = new byte[16 + count * side * side];
        var labels = new byte[8 + count];
        BinaryPrimitives.WriteUInt32BigEndian(images, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), side);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), side);
        BinaryPrimitives.WriteUInt32BigEndian(labels, 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
        for (int i = 0; i < count; i++)
        {
            int label = i % 10;
            labels[8 + i] = (byte)label;
            // A bright horizontal bar whose row encodes the label, over noise.
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                    images[16 + i * side * side + y * side + x] = (byte)(Math.Abs(y - (3 + 2 * label)) <= 1 ? 230 : random.Next(0, 40));
        }
        File.WriteAllBytes(imagesPath, images);
        File.WriteAllBytes(labelsPath, labels);
    }

    public void Dispose()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
