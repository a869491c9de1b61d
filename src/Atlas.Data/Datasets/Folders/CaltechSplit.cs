using Atlas.Data.Images;

namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// The atlas code's Caltech splits (<c>src/datasets/caltech.py</c>): the whole dataset in category order is cut by
/// <c>random_split(dataset, [int(0.8 n), n − int(0.8 n)], Generator().manual_seed(0))</c> into train and test, and
/// validation is then the seeded random carve-out of that train subset (<c>Caltech101Val</c>), in the same way as
/// every dataset without its own validation split.
/// </summary>
internal static class CaltechSplit
{
    public static DatasetSplits Cut(PaperDataset dataset, IReadOnlyList<string> classNames, IReadOnlyList<LabelledImage> samples)
    {
        var (trainIndices, testIndices) = SeededRandomSplit.Split(
            samples.Count, samples.Count - SeededRandomSplit.CaltechTrainSize(samples.Count), SeededRandomSplit.AtlasSeed);
        IReadOnlyList<LabelledImage> train = SeededRandomSplit.Pick(samples, trainIndices);
        var (kept, held) = SeededRandomSplit.CarveValidation(train);
        return new DatasetSplits(dataset, classNames, kept, held, SeededRandomSplit.Pick(samples, testIndices))
        {
            CarvedValidation = ValidationSplitIndices.Atlas(dataset, train.Count),
        };
    }

    /// <summary>Fails unless every listed image exists (the atlas code builds file names from counts and would fail at load time).</summary>
    public static void RequireFiles(LayoutGuard guard, IEnumerable<LabelledImage> samples)
    {
        foreach (LabelledImage sample in samples)
        {
            string path = ((ImageFile)sample.Image).Path;
            if (!File.Exists(path))
            {
                throw guard.Fail(path, "missing image (file names are numbered 1..n within each category folder)");
            }
        }
    }
}
