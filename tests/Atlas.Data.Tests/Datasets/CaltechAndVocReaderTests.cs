using Atlas.Data.Datasets;
using Atlas.Data.Datasets.Folders;
using Atlas.Data.Images;

namespace Atlas.Data.Tests.Datasets;

/// <summary>The Caltech readers (numbered file names, seeded 80/20 test split) and Pascal VOC (one crop per object box).</summary>
public class CaltechAndVocReaderTests
{
    [Fact]
    public void Caltech101_numbers_files_per_category_and_splits_80_20_then_10()
    {
        using var root = new DatasetFolder();
        root.Image("caltech101/101_ObjectCategories/BACKGROUND_Google/image_0001.jpg");
        string[] categories = DatasetText.ClassNames(PaperDataset.Caltech101).ToArray(); // folder names (no dots or hyphens)
        foreach (string category in categories)
        {
            root.Image($"caltech101/101_ObjectCategories/{category}/image_0001.jpg");
        }
        root.Image("caltech101/101_ObjectCategories/Faces/image_0002.jpg");
        root.Image("caltech101/101_ObjectCategories/Faces/image_0003.jpg");

        DatasetSplits splits = new Caltech101Reader().Read(root.Root);

        // Listing (103): 0-2 Faces image_0001..3, then category k at k + 2. torch 1.13:
        // random_split(range(103), [82, 21], seed 0): test starts 8, 9, 5, 33; train starts 99, 4, 16;
        // random_split(range(82), [74, 8], seed 0) of that train: held at train positions 43, 3, 79 = listing 34, 63, 81.
        Assert.Equal((74, 8, 21), (splits.Train.Count, splits.Validation.Count, splits.Test.Count));
        Assert.Equal([6, 7, 3, 31], splits.Test.Take(4).Select(s => s.Label));
        Assert.Equal([32, 61, 79], splits.Validation.Take(3).Select(s => s.Label));
        Assert.Equal("caltech101/101_ObjectCategories/dollar_bill/image_0001.jpg", root.Relative(splits.Validation[0]));
        Assert.Equal("Faces", splits.ClassNames[0]);
    }

    [Fact]
    public void Caltech101_missing_numbered_file_is_a_layout_error()
    {
        using var root = new DatasetFolder();
        root.Folder("caltech101/101_ObjectCategories/BACKGROUND_Google");
        foreach (string category in DatasetText.ClassNames(PaperDataset.Caltech101))
        {
            root.Image($"caltech101/101_ObjectCategories/{category}/image_0001.jpg");
        }
        root.Image("caltech101/101_ObjectCategories/ant/image_0003.jpg"); // two entries, so image_0002.jpg is expected
        var error = Assert.Throws<DatasetLayoutException>(() => new Caltech101Reader().Read(root.Root));
        Assert.Equal(root.PathOf("caltech101/101_ObjectCategories/ant/image_0002.jpg"), error.Path);
    }

    [Fact]
    public void Caltech256_numbers_files_by_label_and_counts_only_jpg()
    {
        using var root = new DatasetFolder();
        for (int k = 1; k <= 257; k++)
        {
            root.Image($"caltech256/256_ObjectCategories/{k:D3}.category-{k}/{k:D3}_0001.jpg");
        }
        root.Text("caltech256/256_ObjectCategories/198.category-198/greg", "stray file, not counted");

        DatasetSplits splits = new Caltech256Reader().Read(root.Root);

        // torch 1.13: random_split(range(257), [205, 52], seed 0): test starts 224, 238, 182, 88;
        // random_split(range(205), [185, 20], seed 0) of train: held = listing 17, 100, 113; kept starts listing 138.
        Assert.Equal((185, 20, 52), (splits.Train.Count, splits.Validation.Count, splits.Test.Count));
        Assert.Equal([224, 238, 182, 88], splits.Test.Take(4).Select(s => s.Label));
        Assert.Equal([17, 100, 113], splits.Validation.Take(3).Select(s => s.Label));
        Assert.Equal(138, splits.Train[0].Label);
        Assert.Equal("caltech256/256_ObjectCategories/225.category-225/225_0001.jpg", root.Relative(splits.Test[0]));
        Assert.Equal("clutter", splits.ClassNames[256]);
    }

    private static string Annotation(params (string Name, int Difficult, int XMin, int YMin, int XMax, int YMax)[] objects) =>
        "<annotation>\n\t<folder>VOC2007</folder>\n\t<filename>x.jpg</filename>\n\t<size>\n\t\t<width>500</width>\n\t\t<height>375</height>\n\t\t<depth>3</depth>\n\t</size>\n" +
        string.Concat(objects.Select(o =>
            $"\t<object>\n\t\t<name>{o.Name}</name>\n\t\t<pose>Left</pose>\n\t\t<truncated>0</truncated>\n\t\t<difficult>{o.Difficult}</difficult>\n" +
            $"\t\t<bndbox>\n\t\t\t<xmin>{o.XMin}</xmin>\n\t\t\t<ymin>{o.YMin}</ymin>\n\t\t\t<xmax>{o.XMax}</xmax>\n\t\t\t<ymax>{o.YMax}</ymax>\n\t\t</bndbox>\n\t</object>\n")) +
        "</annotation>\n";

    [Fact]
    public void Pascal_voc_yields_one_crop_per_object_box_difficult_included()
    {
        using var root = new DatasetFolder();
        const string voc = "VOCdevkit/VOC2007";
        root.Text($"{voc}/ImageSets/Main/aeroplane_train.txt", "000012 -1\n000017  1\n");
        root.Text($"{voc}/ImageSets/Main/aeroplane_val.txt", "000005 -1\n");
        root.Text($"{voc}/ImageSets/Main/aeroplane_test.txt", "000001 -1\n\n");
        root.Text($"{voc}/Annotations/000012.xml", Annotation(("car", 0, 156, 97, 351, 270)));
        root.Text($"{voc}/Annotations/000017.xml", Annotation(("person", 0, 185, 62, 279, 199), ("horse", 1, 90, 78, 403, 336)));
        root.Text($"{voc}/Annotations/000005.xml", Annotation(("chair", 0, 263, 211, 324, 339)));
        root.Text($"{voc}/Annotations/000001.xml", Annotation(("dog", 0, 48, 240, 195, 371), ("pottedplant", 1, 8, 12, 352, 498)));
        root.Folder($"{voc}/JPEGImages");

        DatasetSplits splits = new PascalVocReader().Read(root.Root);

        string image(string id) => root.PathOf($"{voc}/JPEGImages/{id}.jpg");
        Assert.Equal(
            [new LabelledImage(new ImageFileCrop(image("000012"), 156, 97, 351, 270), 6),
             new LabelledImage(new ImageFileCrop(image("000017"), 185, 62, 279, 199), 14),
             new LabelledImage(new ImageFileCrop(image("000017"), 90, 78, 403, 336), 12)],
            splits.Train);
        Assert.Equal([new LabelledImage(new ImageFileCrop(image("000005"), 263, 211, 324, 339), 8)], splits.Validation);
        Assert.Equal([11, 15], splits.Test.Select(s => s.Label));
        Assert.Equal("potted plant", splits.ClassNames[15]);
    }

    [Fact]
    public void Pascal_voc_unknown_category_names_the_annotation()
    {
        using var root = new DatasetFolder();
        const string voc = "VOCdevkit/VOC2007";
        foreach (string split in new[] { "train", "val", "test" })
        {
            root.Text($"{voc}/ImageSets/Main/aeroplane_{split}.txt", "000012 -1\n");
        }
        root.Text($"{voc}/Annotations/000012.xml", Annotation(("car", 0, 1, 2, 3, 4), ("airplane", 0, 1, 2, 3, 4)));
        root.Folder($"{voc}/JPEGImages");
        var error = Assert.Throws<DatasetLayoutException>(() => new PascalVocReader().Read(root.Root));
        Assert.Equal(root.PathOf($"{voc}/Annotations/000012.xml"), error.Path);
        Assert.Contains("object 1: unknown category 'airplane'", error.Message);
    }
}
