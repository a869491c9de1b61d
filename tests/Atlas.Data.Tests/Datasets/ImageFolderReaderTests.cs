using Atlas.Data.Datasets;
using Atlas.Data.Datasets.Folders;

namespace Atlas.Data.Tests.Datasets;

/// <summary>The readers of the datasets kept as one ImageFolder per split: DTD, EuroSAT, SUN397, ImageNet, Country211.</summary>
public class ImageFolderReaderTests
{
    [Fact]
    public void Dtd_lists_folders_as_torchvision_and_carves_validation_from_train()
    {
        using var root = new DatasetFolder();
        IReadOnlyList<string> textures = DatasetText.ClassNames(PaperDataset.Dtd); // DTD's folder names are its class names
        foreach (string texture in textures)
        {
            root.Image($"dtd/train/{texture}/{texture}_0002.jpg");
            root.Image($"dtd/val/{texture}/{texture}_0009.jpg");
        }
        // Within a class: files sorted, then sub-folders after (sorted(os.walk)); other extensions skipped.
        root.Image("dtd/train/banded/banded_0001.jpg");
        root.Image("dtd/train/banded/sub/a.PNG");
        root.Text("dtd/train/banded/notes.txt", "not an image");

        DatasetSplits splits = new DtdReader().Read(root.Root);

        // ImageFolder order: 0 banded_0001, 1 banded_0002, 2 sub/a.PNG, 3 blotchy, 4 braided, ... 48 zigzagged.
        // torch 1.13 random_split(range(49), [45, 4], seed 0): kept starts 11, 16, 43; held = 32, 7, 14, 28.
        string[] listing = ["dtd/train/banded/banded_0001.jpg", "dtd/train/banded/banded_0002.jpg", "dtd/train/banded/sub/a.PNG",
            .. textures.Skip(1).Select(t => $"dtd/train/{t}/{t}_0002.jpg")];
        Assert.Equal([listing[32], listing[7], listing[14], listing[28]], splits.Validation.Select(root.Relative));
        Assert.Equal([listing[11], listing[16], listing[43]], splits.Train.Take(3).Select(root.Relative));
        Assert.Equal(45, splits.Train.Count);
        Assert.Equal(3, splits.Train.Concat(splits.Validation).Count(s => s.Label == 0));
        Assert.Equal("dtd/train/chequered/chequered_0002.jpg", root.Relative(splits.Validation[1])); // listing[7]: class 5
        Assert.Equal(5, splits.Validation[1].Label);
        Assert.Equal(47, splits.Test.Count);
        Assert.Equal(("dtd/val/zigzagged/zigzagged_0009.jpg", 46), (root.Relative(splits.Test[46]), splits.Test[46].Label));
        Assert.Equal("banded", splits.ClassNames[0]);
    }

    [Fact]
    public void Dtd_test_folder_with_a_missing_class_is_a_layout_error()
    {
        using var root = new DatasetFolder();
        foreach (string texture in DatasetText.ClassNames(PaperDataset.Dtd))
        {
            root.Image($"dtd/train/{texture}/a.jpg");
            if (texture != "woven")
            {
                root.Image($"dtd/val/{texture}/a.jpg");
            }
        }
        var error = Assert.Throws<DatasetLayoutException>(() => new DtdReader().CheckLayout(root.Root));
        Assert.Equal(root.PathOf("dtd/val"), error.Path);
        Assert.Contains("found 46 classes, expected 47", error.Message);
    }

    [Fact]
    public void EuroSat_uses_its_own_validation_folder()
    {
        using var root = new DatasetFolder();
        string[] folders = ["AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial", "Pasture", "PermanentCrop", "Residential", "River", "SeaLake"];
        foreach (string folder in folders.Reverse())
        {
            root.Image($"EuroSAT_splits/train/{folder}/{folder}_2.jpg");
            root.Image($"EuroSAT_splits/train/{folder}/{folder}_10.jpg");
            root.Image($"EuroSAT_splits/val/{folder}/{folder}_5.jpg");
            root.Image($"EuroSAT_splits/test/{folder}/{folder}_7.jpg");
        }

        DatasetSplits splits = new EuroSatReader().Read(root.Root);

        Assert.Equal(20, splits.Train.Count);
        // Sorted by name, not number: "AnnualCrop_10.jpg" < "AnnualCrop_2.jpg".
        Assert.Equal(["EuroSAT_splits/train/AnnualCrop/AnnualCrop_10.jpg", "EuroSAT_splits/train/AnnualCrop/AnnualCrop_2.jpg", "EuroSAT_splits/train/Forest/Forest_10.jpg"],
            splits.Train.Take(3).Select(root.Relative));
        Assert.Equal([0, 0, 1], splits.Train.Take(3).Select(s => s.Label));
        Assert.Equal(("EuroSAT_splits/val/SeaLake/SeaLake_5.jpg", 9), (root.Relative(splits.Validation[9]), splits.Validation[9].Label));
        Assert.Equal(("EuroSAT_splits/test/HerbaceousVegetation/HerbaceousVegetation_7.jpg", 2), (root.Relative(splits.Test[2]), splits.Test[2].Label));
        Assert.Equal("brushland or shrubland", splits.ClassNames[2]);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Sun397_carves_validation_from_its_train_folder()
    {
        using var root = new DatasetFolder();
        for (int i = 0; i < 397; i++)
        {
            root.Image($"sun397/train/x_scene{i:D3}/sun_{i}.jpg");
            root.Image($"sun397/val/x_scene{i:D3}/sun_{i}.jpg");
        }

        DatasetSplits splits = new Sun397Reader().Read(root.Root);

        // torch 1.13 random_split(range(397), [358, 39], seed 0): held starts 248, 92, 94, 26; kept starts 154.
        Assert.Equal(39, splits.Validation.Count);
        Assert.Equal(358, splits.Train.Count);
        Assert.Equal([248, 92, 94, 26], splits.Validation.Take(4).Select(s => s.Label));
        Assert.Equal("sun397/train/x_scene248/sun_248.jpg", root.Relative(splits.Validation[0]));
        Assert.Equal(154, splits.Train[0].Label);
        Assert.Equal(397, splits.Test.Count);
        Assert.Equal("apartment building outdoor", splits.ClassNames[8]);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ImageNet_tests_on_val_in_folder_and_falls_back_to_val()
    {
        using var root = new DatasetFolder();
        for (int i = 0; i < 1000; i++)
        {
            root.Image($"imagenet/train/n{i:D8}/n{i:D8}_1.JPEG");
            root.Image($"imagenet/val/n{i:D8}/ILSVRC2012_val_{i:D8}.JPEG");
        }
        var reader = new ImageNetReader();

        DatasetSplits fromVal = reader.Read(root.Root);
        Directory.Move(root.PathOf("imagenet/val"), root.PathOf("imagenet/val_in_folder"));
        root.Folder("imagenet/val"); // now empty: reading it would fail, so success shows val_in_folder is preferred
        DatasetSplits fromValInFolder = reader.Read(root.Root);

        Assert.Equal("imagenet/val/n00000007/ILSVRC2012_val_00000007.JPEG", root.Relative(fromVal.Test[7]));
        Assert.Equal("imagenet/val_in_folder/n00000007/ILSVRC2012_val_00000007.JPEG", root.Relative(fromValInFolder.Test[7]));
        // torch 1.13 random_split(range(1000), [900, 100], seed 0): held starts 884, 531, 89, 552.
        Assert.Equal([884, 531, 89, 552], fromValInFolder.Validation.Take(4).Select(s => s.Label));
        Assert.Equal((900, 100), (fromValInFolder.Train.Count, fromValInFolder.Validation.Count));
        Assert.Equal("tench", fromValInFolder.ClassNames[0]);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Country211_uses_its_valid_folder()
    {
        using var root = new DatasetFolder();
        for (int i = 0; i < 211; i++)
        {
            string code = $"{(char)('A' + i / 26)}{(char)('A' + i % 26)}";
            root.Image($"country211/train/{code}/1.jpg");
            root.Image($"country211/valid/{code}/2.jpg");
            root.Image($"country211/test/{code}/3.jpg");
        }

        DatasetSplits splits = new Country211Reader().Read(root.Root);

        Assert.Equal((211, 211, 211), (splits.Train.Count, splits.Validation.Count, splits.Test.Count));
        Assert.Equal(("country211/valid/BA/2.jpg", 26), (root.Relative(splits.Validation[26]), splits.Validation[26].Label));
        Assert.Equal("Zimbabwe", splits.ClassNames[210]);
    }
}
