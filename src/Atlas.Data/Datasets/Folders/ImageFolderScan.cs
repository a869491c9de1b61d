using Atlas.Data.Images;

namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// torchvision's <c>ImageFolder</c> listing, which fixes the sample order seeded splits index: classes are the
/// sub-folders of the root sorted by name (label = position), and each class's samples are its files, walked as
/// <c>sorted(os.walk(class_folder, followlinks=True))</c> then <c>sorted(file_names)</c>, that pass the file filter
/// (by default an image extension, case-insensitive). Python sorts strings by code point; ordinal UTF-16 comparison
/// agrees except between astral-plane and U+E000–U+FFFF characters, which no dataset's file names use.
/// </summary>
internal static class ImageFolderScan
{
    /// <summary>torchvision's <c>IMG_EXTENSIONS</c>.</summary>
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"];

    /// <summary>Whether <paramref name="fileName"/> ends with one of torchvision's image extensions (case-insensitive).</summary>
    public static bool HasImageExtension(string fileName)
    {
        string lower = fileName.ToLowerInvariant();
        return ImageExtensions.Any(lower.EndsWith);
    }

    /// <summary>The class folder names under <paramref name="root"/>, sorted (label = index).</summary>
    public static string[] Classes(LayoutGuard guard, string root)
    {
        guard.Folder(root);
        string[] classes = new DirectoryInfo(root).EnumerateDirectories().Select(d => d.Name).ToArray();
        Array.Sort(classes, StringComparer.Ordinal);
        if (classes.Length == 0)
        {
            throw guard.Fail(root, "no class folders");
        }
        return classes;
    }

    /// <summary>
    /// The classes and samples of the image folder at <paramref name="root"/>. <paramref name="isValidFile"/> (given the
    /// full path) replaces the extension filter, as <c>ImageFolder(is_valid_file=…)</c> does. A class without a valid
    /// file is an error, as in torchvision.
    /// </summary>
    public static (string[] Classes, List<LabelledImage> Samples) Read(LayoutGuard guard, string root, Func<string, bool>? isValidFile = null)
    {
        Func<string, bool> valid = isValidFile ?? (path => HasImageExtension(Path.GetFileName(path)));
        string[] classes = Classes(guard, root);
        var samples = new List<LabelledImage>();
        for (int label = 0; label < classes.Length; label++)
        {
            string classFolder = Path.Combine(root, classes[label]);
            int before = samples.Count;
            foreach (string folder in WalkSorted(classFolder))
            {
                string[] files = Directory.GetFiles(folder).Select(Path.GetFileName).ToArray()!;
                Array.Sort(files, StringComparer.Ordinal);
                foreach (string file in files)
                {
                    string path = Path.Combine(folder, file);
                    if (valid(path))
                    {
                        samples.Add(new LabelledImage(new ImageFile(Path.GetFullPath(path)), label));
                    }
                }
            }
            if (samples.Count == before)
            {
                throw guard.Fail(classFolder, "no valid image file in class folder");
            }
        }
        return (classes, samples);
    }

    /// <summary><paramref name="folder"/> and every folder below it (links followed), sorted by path as <c>sorted(os.walk(...))</c> sorts.</summary>
    private static List<string> WalkSorted(string folder)
    {
        var folders = new List<string>();
        var pending = new Stack<string>();
        pending.Push(folder);
        while (pending.Count > 0)
        {
            string current = pending.Pop();
            folders.Add(current);
            foreach (string sub in Directory.GetDirectories(current))
            {
                pending.Push(sub);
            }
        }
        folders.Sort(StringComparer.Ordinal);
        return folders;
    }
}
