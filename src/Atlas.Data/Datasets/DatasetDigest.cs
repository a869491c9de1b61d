using System.Security.Cryptography;
using System.Text;
using Atlas.Data.Images;

namespace Atlas.Data.Datasets;

/// <summary>
/// A SHA-256 of what a reader found: every sample of every part, in order, with its label: a file by its path relative to
/// the data root (and crop box), an array image by its pixels. Equal digests mean the same samples in the same order
/// under the same labels, wherever the data root is; a changed, added or removed image list changes it (the image
/// files' bytes are not read: hashing ImageNet would cost longer than most stages).
/// </summary>
public static class DatasetDigest
{
    /// <summary>The digest of <paramref name="splits"/> as read from <paramref name="dataRoot"/>, lower-case hex.</summary>
    public static string Of(DatasetSplits splits, string dataRoot)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => hash.AppendData(Encoding.UTF8.GetBytes(text));
        Add($"{DatasetText.NameOf(splits.Dataset)}\n{string.Join("\t", splits.ClassNames)}\n");
        foreach (DatasetPart part in Enum.GetValues<DatasetPart>())
        {
            Add($"part {part}\n");
            foreach (LabelledImage sample in splits.Part(part))
            {
                switch (sample.Image)
                {
                    case ImageFile file:
                        Add($"{Relative(file.Path, dataRoot)}\t{sample.Label}\n");
                        break;
                    case ImageFileCrop crop:
                        Add($"{Relative(crop.Path, dataRoot)}[{crop.Left},{crop.Top},{crop.Right},{crop.Bottom}]\t{sample.Label}\n");
                        break;
                    case InMemoryImage memory:
                        Add($"array {memory.Image.Width}x{memory.Image.Height}\t{sample.Label}\n");
                        hash.AppendData(memory.Image.Pixels);
                        break;
                    default:
                        throw new ArgumentException($"Unknown image reference {sample.Image.GetType().Name}.", nameof(splits));
                }
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string Relative(string path, string root) => Path.GetRelativePath(root, path).Replace('\\', '/');
}
