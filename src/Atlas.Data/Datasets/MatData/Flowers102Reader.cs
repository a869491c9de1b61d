using Atlas.Data.Formats.Mat;
using Atlas.Data.Images;

namespace Atlas.Data.Datasets.MatData;

/// <summary>
/// Oxford Flowers-102 as the atlas code's <c>PyTorchFlowers102</c> reads it: <c>setid.mat</c>'s <c>trnid</c>,
/// <c>valid</c> and <c>tstid</c> (1-based image ids, in file order) are the train, validation and test parts — the
/// dataset's own split, no random one — image <c>jpg/image_%05d.jpg</c>, label <c>imagelabels.mat</c>'s
/// <c>labels[id − 1] − 1</c>. torchvision also checks the two .mat files' MD5; this reader does not (fixtures could not pass).
/// </summary>
public sealed class Flowers102Reader : IPaperDatasetReader
{
    private readonly LayoutGuard _guard;

    /// <summary>Creates the reader.</summary>
    public Flowers102Reader() => _guard = new LayoutGuard(Dataset, ExpectedLayout);

    /// <inheritdoc />
    public PaperDataset Dataset => PaperDataset.Flowers102;

    /// <inheritdoc />
    public string ExpectedLayout =>
        "flowers-102/jpg/image_00001.jpg ...\nflowers-102/imagelabels.mat   (MAT v5: labels 1×n in 1..102)\nflowers-102/setid.mat         (trnid, valid, tstid)";

    /// <inheritdoc />
    public void CheckLayout(string dataRoot)
    {
        string root = _guard.Folder(Path.Combine(dataRoot, "flowers-102"));
        _guard.Folder(Path.Combine(root, "jpg"));
        foreach (string mat in new[] { "imagelabels.mat", "setid.mat" })
        {
            string path = _guard.File(Path.Combine(root, mat));
            _guard.Parse(path, () =>
            {
                MatFileReader.CheckHeader(path);
                return 0;
            });
        }
    }

    /// <inheritdoc />
    public DatasetSplits Read(string dataRoot)
    {
        CheckLayout(dataRoot);
        string root = Path.Combine(dataRoot, "flowers-102");
        IReadOnlyList<string> classNames = DatasetText.ClassNames(Dataset);
        string labelsPath = Path.Combine(root, "imagelabels.mat");
        long[] labels = Vector(labelsPath, "labels");
        string setPath = Path.Combine(root, "setid.mat");
        return new DatasetSplits(
            Dataset,
            classNames,
            Part(Vector(setPath, "trnid"), labels, root, setPath, labelsPath, classNames.Count),
            Part(Vector(setPath, "valid"), labels, root, setPath, labelsPath, classNames.Count),
            Part(Vector(setPath, "tstid"), labels, root, setPath, labelsPath, classNames.Count));
    }

    private long[] Vector(string path, string name)
    {
        IReadOnlyDictionary<string, MatArray> variables = _guard.Parse(path, () => MatFileReader.Read(path));
        if (!variables.TryGetValue(name, out MatArray? array) || array is not MatNumericArray numeric)
        {
            throw _guard.Fail(path, $"variable '{name}' is {(array is null ? "missing" : array.Describe())}, expected a numeric vector");
        }
        return _guard.Parse(path, numeric.ToInt64);
    }

    private List<LabelledImage> Part(long[] ids, long[] labels, string root, string setPath, string labelsPath, int classCount)
    {
        var samples = new List<LabelledImage>(ids.Length);
        foreach (long id in ids)
        {
            if (id < 1 || id > labels.Length)
            {
                throw _guard.Fail(setPath, $"image id {id} is outside 1..{labels.Length} (the labels in imagelabels.mat)");
            }
            long label = labels[id - 1] - 1;
            if (label < 0 || label >= classCount)
            {
                throw _guard.Fail(labelsPath, $"image {id} has label {label + 1}, outside 1..{classCount}");
            }
            string image = Path.Combine(root, "jpg", $"image_{id:D5}.jpg");
            samples.Add(new LabelledImage(new ImageFile(Path.GetFullPath(image)), (int)label));
        }
        return samples;
    }
}
