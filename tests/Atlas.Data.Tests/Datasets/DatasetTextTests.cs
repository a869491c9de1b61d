using Atlas.Data.Datasets;

namespace Atlas.Data.Tests.Datasets;

public class DatasetTextTests
{
    [Fact]
    public void Every_dataset_has_templates_each_naming_the_class()
    {
        foreach (PaperDataset dataset in Enum.GetValues<PaperDataset>())
        {
            IReadOnlyList<string> templates = DatasetText.Templates(dataset);
            Assert.NotEmpty(templates);
            Assert.All(templates, t => Assert.Contains("{c}", t));
        }
    }

    [Theory]
    // The atlas code's templates.py list lengths and first entries.
    [InlineData(PaperDataset.ImageNet, 80, "a bad photo of a {c}.")]
    [InlineData(PaperDataset.Cars, 8, "a photo of a {c}.")]
    [InlineData(PaperDataset.Mnist, 1, "a photo of the number: \"{c}\".")]
    [InlineData(PaperDataset.Ucf101, 48, "a photo of a person {c}.")]
    [InlineData(PaperDataset.Country211, 5, "a photo i took in {c}.")]
    [InlineData(PaperDataset.FgvcAircraft, 2, "a photo of a {c}, a type of aircraft.")]
    [InlineData(PaperDataset.EuroSat, 3, "a centered satellite photo of {c}.")]
    public void Templates_are_the_atlas_lists(PaperDataset dataset, int count, string first)
    {
        IReadOnlyList<string> templates = DatasetText.Templates(dataset);
        Assert.Equal(count, templates.Count);
        Assert.Equal(first, templates[0]);
    }

    [Theory]
    // Paper Table 5's class counts, typed by hand.
    [InlineData(PaperDataset.Dtd, 47)]
    [InlineData(PaperDataset.EuroSat, 10)]
    [InlineData(PaperDataset.Resisc45, 45)]
    [InlineData(PaperDataset.Sun397, 397)]
    [InlineData(PaperDataset.ImageNet, 1000)]
    [InlineData(PaperDataset.Food101, 101)]
    [InlineData(PaperDataset.Caltech101, 101)]
    [InlineData(PaperDataset.Caltech256, 257)]
    [InlineData(PaperDataset.FgvcAircraft, 100)]
    [InlineData(PaperDataset.OxfordIiitPet, 37)]
    [InlineData(PaperDataset.Cub200, 200)]
    [InlineData(PaperDataset.PascalVoc, 20)]
    [InlineData(PaperDataset.Country211, 211)]
    [InlineData(PaperDataset.Ucf101, 101)]
    public void Class_counts_match_the_paper(PaperDataset dataset, int count)
    {
        IReadOnlyList<string> names = DatasetText.ClassNames(dataset);
        Assert.Equal(count, names.Count);
        // CLIP's ImageNet names, which the atlas code uses, name two pairs of classes alike (labels 657/744 "missile",
        // 836/837 "sunglasses"); every other list is duplicate-free.
        int duplicates = dataset == PaperDataset.ImageNet ? 2 : 0;
        Assert.Equal(count - duplicates, names.Distinct().Count());
    }

    [Fact]
    public void ImageNet_keeps_clips_duplicate_names()
    {
        IReadOnlyList<string> names = DatasetText.ClassNames(PaperDataset.ImageNet);
        Assert.Equal(("missile", "missile"), (names[657], names[744]));
        Assert.Equal(("sunglasses", "sunglasses"), (names[836], names[837]));
    }

    [Theory]
    // Names as the atlas code's dataset objects yield them on the real folders, typed by hand.
    [InlineData(PaperDataset.Dtd, 0, "banded")]
    [InlineData(PaperDataset.Dtd, 46, "zigzagged")]
    [InlineData(PaperDataset.EuroSat, 0, "annual crop land")]
    [InlineData(PaperDataset.EuroSat, 2, "brushland or shrubland")]
    [InlineData(PaperDataset.EuroSat, 9, "lake or sea")]
    [InlineData(PaperDataset.Resisc45, 2, "baseball diamond")]
    [InlineData(PaperDataset.Sun397, 8, "apartment building outdoor")]
    [InlineData(PaperDataset.ImageNet, 0, "tench")]
    [InlineData(PaperDataset.ImageNet, 999, "toilet paper")]
    [InlineData(PaperDataset.Food101, 0, "apple pie")]
    [InlineData(PaperDataset.Caltech101, 0, "Faces")]
    [InlineData(PaperDataset.Caltech101, 19, "car_side")]
    [InlineData(PaperDataset.Caltech256, 62, "electric guitar")]
    [InlineData(PaperDataset.Caltech256, 231, "t shirt")]
    [InlineData(PaperDataset.Caltech256, 256, "clutter")]
    [InlineData(PaperDataset.FgvcAircraft, 0, "707-320")]
    [InlineData(PaperDataset.OxfordIiitPet, 1, "American Bulldog")]
    [InlineData(PaperDataset.OxfordIiitPet, 36, "Yorkshire Terrier")]
    [InlineData(PaperDataset.Cub200, 0, "Black footed Albatross")]
    [InlineData(PaperDataset.PascalVoc, 10, "dining table")]
    [InlineData(PaperDataset.Country211, 0, "Andorra")]
    [InlineData(PaperDataset.Ucf101, 0, "Apply_Eye_Makeup")]
    public void Class_names_are_the_atlas_names(PaperDataset dataset, int label, string name)
    {
        Assert.Equal(name, DatasetText.ClassNames(dataset)[label]);
    }
}
