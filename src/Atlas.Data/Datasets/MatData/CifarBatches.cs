using Atlas.Data.Formats.Pickle;
using Atlas.Data.Images;

namespace Atlas.Data.Datasets.MatData;

/// <summary>
/// The python versions of CIFAR-10 and CIFAR-100 as torchvision's <c>CIFAR10</c>/<c>CIFAR100</c> read them: each batch
/// file a pickled dict (Python 2 <c>cPickle</c>, protocol 2) whose <c>data</c> is an n×3072 uint8 numpy array (per image
/// the red, green and blue 32×32 planes, row-major) and whose labels key (<c>labels</c> or <c>fine_labels</c>) is a list
/// of ints; a meta file names the classes. Batches are concatenated in file order. Unpickled by
/// <see cref="RestrictedUnpickler"/> as data.
/// </summary>
internal sealed class CifarBatches(LayoutGuard guard)
{
    private const int Side = 32;
    private const int ImageBytes = Side * Side * 3;

    /// <summary>Checks that each of <paramref name="paths"/> exists and starts like a pickle (PROTO opcode or a dict).</summary>
    public void CheckFiles(IEnumerable<string> paths)
    {
        foreach (string path in paths)
        {
            guard.File(path);
            using FileStream stream = System.IO.File.OpenRead(path);
            int first = stream.ReadByte();
            if (first is not (0x80 or (byte)'}' or (byte)'(' ))
            {
                throw guard.Fail(path, first < 0 ? "empty file" : $"not a pickle (first byte 0x{first:X2})");
            }
        }
    }

    /// <summary>The class names of the meta file's <paramref name="key"/>, checked against the embedded names.</summary>
    public IReadOnlyList<string> ClassNames(string metaPath, string key)
    {
        object? names = guard.Parse(metaPath, () => RestrictedUnpickler.DictValue(RestrictedUnpickler.Read(metaPath), key, metaPath));
        if (names is not List<object?> list || list.Any(n => n is not string))
        {
            throw guard.Fail(metaPath, $"'{key}' is {RestrictedUnpickler.Describe(names)}, not a list of strings");
        }
        return guard.MatchingClassNames(list.Cast<string>().ToArray(), metaPath);
    }

    /// <summary>The images and labels of <paramref name="batchPaths"/>, in order.</summary>
    public List<LabelledImage> Read(IEnumerable<string> batchPaths, string labelsKey, int classCount)
    {
        var samples = new List<LabelledImage>();
        foreach (string path in batchPaths)
        {
            (NumpyArray data, List<object?> labels) = guard.Parse(path, () =>
            {
                object? root = RestrictedUnpickler.Read(path);
                return (RestrictedUnpickler.DictValue(root, "data", path) as NumpyArray
                        ?? throw new InvalidDataException($"{path}: 'data' is not a numpy array"),
                    RestrictedUnpickler.DictValue(root, labelsKey, path) as List<object?>
                        ?? throw new InvalidDataException($"{path}: '{labelsKey}' is not a list"));
            });
            if (data.Dtype is not ("|u1" or "<u1" or ">u1") || data.Shape.Count != 2 || data.Shape[1] != ImageBytes || data.FortranOrder)
            {
                throw guard.Fail(path, $"'data' is {data.Dtype} ({string.Join(", ", data.Shape)}){(data.FortranOrder ? " Fortran order" : "")}, expected uint8 (n, 3072) in C order");
            }
            int count = (int)data.Shape[0];
            if (data.Data.Length != (long)count * ImageBytes)
            {
                throw guard.Fail(path, $"'data' holds {data.Data.Length} bytes for shape ({count}, {ImageBytes})");
            }
            if (labels.Count != count)
            {
                throw guard.Fail(path, $"{labels.Count} labels in '{labelsKey}' for {count} images");
            }
            const int plane = Side * Side;
            for (int n = 0; n < count; n++)
            {
                if (labels[n] is not long label || label < 0 || label >= classCount)
                {
                    throw guard.Fail(path, $"label {n} is {RestrictedUnpickler.Describe(labels[n])}, not a class index below {classCount}");
                }
                var pixels = new byte[ImageBytes];
                int start = n * ImageBytes;
                for (int p = 0; p < plane; p++)
                {
                    pixels[3 * p] = data.Data[start + p];
                    pixels[(3 * p) + 1] = data.Data[start + plane + p];
                    pixels[(3 * p) + 2] = data.Data[start + (2 * plane) + p];
                }
                samples.Add(new LabelledImage(new InMemoryImage(new RgbImage(Side, Side, pixels)), (int)label));
            }
        }
        return samples;
    }
}
