namespace Atlas.Data.Datasets.Folders;

/// <summary>
/// The splits of a dataset kept as one <c>ImageFolder</c> per split (DTD, EuroSAT, SUN397, ImageNet, Country211):
/// train, test and either the dataset's own validation folder or the atlas code's seeded random carve-out of train.
/// </summary>
internal static class ImageFolderSplits
{
    /// <summary>
    /// Reads the folders. <paramref name="validationRoot"/> null means validation is carved from train
    /// (<see cref="SeededRandomSplit.CarveValidation{T}"/>). Every split must hold the same class folders as train, since
    /// each <c>ImageFolder</c> numbers its own sorted folders and the labels must agree.
    /// </summary>
    public static DatasetSplits Read(PaperDataset dataset, LayoutGuard guard, string trainRoot, string testRoot, string? validationRoot)
    {
        var (classes, train) = ImageFolderScan.Read(guard, trainRoot);
        IReadOnlyList<string> names = guard.ClassNames(trainRoot, classes.Length);
        var (testClasses, test) = ImageFolderScan.Read(guard, testRoot);
        RequireSameClasses(guard, testRoot, classes, testClasses);
        if (validationRoot is null)
        {
            var (kept, held) = SeededRandomSplit.CarveValidation(train);
            return new DatasetSplits(dataset, names, kept, held, test)
            {
                CarvedValidation = ValidationSplitIndices.Atlas(dataset, train.Count),
            };
        }
        var (validationClasses, validation) = ImageFolderScan.Read(guard, validationRoot);
        RequireSameClasses(guard, validationRoot, classes, validationClasses);
        return new DatasetSplits(dataset, names, train, validation, test);
    }

    /// <summary>Cheap check: the folders exist and hold as many class folders as the dataset has classes.</summary>
    public static void Check(LayoutGuard guard, params string[] roots)
    {
        foreach (string root in roots)
        {
            guard.ClassNames(root, ImageFolderScan.Classes(guard, root).Length);
        }
    }

    private static void RequireSameClasses(LayoutGuard guard, string root, string[] trainClasses, string[] classes)
    {
        if (!classes.SequenceEqual(trainClasses))
        {
            string first = classes.Except(trainClasses).Concat(trainClasses.Except(classes)).FirstOrDefault() ?? "(order)";
            throw guard.Fail(root, $"class folders differ from the train split's (first difference: '{first}')");
        }
    }
}
