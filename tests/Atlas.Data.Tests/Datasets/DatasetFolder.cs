using Atlas.Data.Datasets;
using Atlas.Data.Images;

namespace Atlas.Data.Tests.Datasets;

/// <summary>
/// A temporary data root that tests fill with a dataset's real layout: small stand-in image files (readers list
/// images and never decode them) and list/annotation files in the real formats.
/// </summary>
internal sealed class DatasetFolder : IDisposable
{
    // SOI, an APP0 JFIF header and EOI: the start and end of a JPEG file, 22 bytes.
    private static readonly byte[] JpegBytes =
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9];

    public string Root { get; } = Directory.CreateTempSubdirectory("atlas-dataset-").FullName;

    /// <summary>The absolute path of <paramref name="relative"/> ('/'-separated) under the root.</summary>
    public string PathOf(string relative) => Path.GetFullPath(Path.Combine([Root, .. relative.Split('/')]));

    /// <summary>Writes a stand-in image file at <paramref name="relative"/>.</summary>
    public string Image(string relative) => Write(relative, JpegBytes);

    /// <summary>Writes <paramref name="text"/> (UTF-8, '\n' line ends) at <paramref name="relative"/>.</summary>
    public string Text(string relative, string text) => Write(relative, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Creates an empty folder at <paramref name="relative"/>.</summary>
    public string Folder(string relative) => Directory.CreateDirectory(PathOf(relative)).FullName;

    /// <summary>The root-relative, '/'-separated path of a sample's image file.</summary>
    public string Relative(LabelledImage sample)
    {
        string path = sample.Image switch
        {
            ImageFile f => f.Path,
            ImageFileCrop c => c.Path,
            _ => throw new InvalidOperationException(sample.Image.ToString()),
        };
        return Path.GetRelativePath(Root, path).Replace(Path.DirectorySeparatorChar, '/');
    }

    private string Write(string relative, byte[] bytes)
    {
        string path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
