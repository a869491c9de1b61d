using Atlas.Data.Datasets;
using Atlas.Data.Datasets.Folders;

namespace Atlas.Data.Tests.Datasets;

/// <summary>The readers whose splits come from list files: RESISC45, Food101, FGVC Aircraft, Oxford-IIIT Pet, CUB-200, UCF101.</summary>
public class ListFileReaderTests
{
    [Fact]
    public void Resisc45_keeps_the_files_on_each_list()
    {
        using var root = new DatasetFolder();
        var train = new List<string>();
        var test = new List<string>();
        foreach (string name in DatasetText.ClassNames(PaperDataset.Resisc45))
        {
            string folder = name.Replace(' ', '_');
            for (int i = 1; i <= 4; i++)
            {
                root.Image($"resisc45/NWPU-RESISC45/{folder}/{folder}_{i:D3}.jpg");
            }
            train.AddRange([$"{folder}_001.jpg", $"{folder}_002.jpg"]);
            test.Add($"{folder}_003.jpg"); // _004 is on neither list
        }
        root.Text("resisc45/resisc45-train.txt", string.Join('\n', train.AsEnumerable().Reverse()) + "\n");
        root.Text("resisc45/resisc45-test.txt", string.Join("\r\n", test) + "\r\n");

        DatasetSplits splits = new Resisc45Reader().Read(root.Root);

        // Listing: 2k = class k _001, 2k+1 = class k _002. torch 1.13 random_split(range(90), [81, 9], seed 0):
        // held starts 74, 48, 49, 33; kept starts 44.
        Assert.Equal((81, 9, 45), (splits.Train.Count, splits.Validation.Count, splits.Test.Count));
        Assert.Equal(["resisc45/NWPU-RESISC45/snowberg/snowberg_001.jpg", "resisc45/NWPU-RESISC45/mobile_home_park/mobile_home_park_001.jpg",
            "resisc45/NWPU-RESISC45/mobile_home_park/mobile_home_park_002.jpg", "resisc45/NWPU-RESISC45/ground_track_field/ground_track_field_002.jpg"],
            splits.Validation.Take(4).Select(root.Relative));
        Assert.Equal([37, 24, 24, 16], splits.Validation.Take(4).Select(s => s.Label));
        Assert.Equal("resisc45/NWPU-RESISC45/meadow/meadow_001.jpg", root.Relative(splits.Train[0]));
        Assert.Equal("resisc45/NWPU-RESISC45/wetland/wetland_003.jpg", root.Relative(splits.Test[44]));
        Assert.Equal("baseball diamond", splits.ClassNames[2]);
    }

    [Fact]
    public void Food101_follows_the_json_order_with_sorted_labels()
    {
        using var root = new DatasetFolder();
        string[] classes = Enumerable.Range(0, 101).Select(i => $"dish_{i:D3}").ToArray();
        // Keys listed in reverse: samples follow the file, labels the sorted names.
        string Meta(string id) => "{" + string.Join(", ", classes.Reverse().Select(c => $"\"{c}\": [\"{c}/{id}\"]")) + "}";
        root.Text("food-101/meta/train.json", Meta("100"));
        root.Text("food-101/meta/test.json", Meta("200"));
        root.Folder("food-101/images");

        DatasetSplits splits = new Food101Reader().Read(root.Root);

        // Listing i = class 100 − i. torch 1.13 random_split(range(101), [91, 10], seed 0): held 13, 86, 3, 0; kept 64.
        Assert.Equal([87, 14, 97, 100], splits.Validation.Take(4).Select(s => s.Label));
        Assert.Equal("food-101/images/dish_087/100.jpg", root.Relative(splits.Validation[0]));
        Assert.Equal(36, splits.Train[0].Label);
        Assert.Equal((91, 10, 101), (splits.Train.Count, splits.Validation.Count, splits.Test.Count));
        Assert.Equal(("food-101/images/dish_100/200.jpg", 100), (root.Relative(splits.Test[0]), splits.Test[0].Label));
        Assert.Equal("apple pie", splits.ClassNames[0]);
    }

    [Fact]
    public void Fgvc_aircraft_reads_variant_lists_with_spaces()
    {
        using var root = new DatasetFolder();
        IReadOnlyList<string> variants = DatasetText.ClassNames(PaperDataset.FgvcAircraft);
        root.Text("fgvc-aircraft-2013b/data/variants.txt", string.Join('\n', variants) + "\n");
        root.Text("fgvc-aircraft-2013b/data/images_variant_train.txt", "1025794 707-320\n0062765 Cessna 172\n");
        root.Text("fgvc-aircraft-2013b/data/images_variant_val.txt", "2201487 Yak-42\n");
        root.Text("fgvc-aircraft-2013b/data/images_variant_test.txt", "0056978 727-200\n1514522 Cessna 172\n0061591 707-320\n");
        root.Folder("fgvc-aircraft-2013b/data/images");
        int cessna = variants.ToList().IndexOf("Cessna 172");

        DatasetSplits splits = new FgvcAircraftReader().Read(root.Root);

        Assert.Equal(["fgvc-aircraft-2013b/data/images/1025794.jpg", "fgvc-aircraft-2013b/data/images/0062765.jpg"], splits.Train.Select(root.Relative));
        Assert.Equal([0, cessna], splits.Train.Select(s => s.Label));
        Assert.Equal([99], splits.Validation.Select(s => s.Label)); // Yak-42, the last variant
        Assert.Equal([1, cessna, 0], splits.Test.Select(s => s.Label));
        Assert.True(cessna > 0);
    }

    [Fact]
    public void Fgvc_aircraft_unknown_variant_names_the_line()
    {
        using var root = new DatasetFolder();
        root.Text("fgvc-aircraft-2013b/data/variants.txt", string.Join('\n', DatasetText.ClassNames(PaperDataset.FgvcAircraft)) + "\n");
        root.Text("fgvc-aircraft-2013b/data/images_variant_train.txt", "1025794 707-320\n0062765 Cesna 172\n");
        root.Text("fgvc-aircraft-2013b/data/images_variant_val.txt", "2201487 Yak-42\n");
        root.Text("fgvc-aircraft-2013b/data/images_variant_test.txt", "0056978 727-200\n");
        root.Folder("fgvc-aircraft-2013b/data/images");
        var error = Assert.Throws<DatasetLayoutException>(() => new FgvcAircraftReader().Read(root.Root));
        Assert.Equal(root.PathOf("fgvc-aircraft-2013b/data/images_variant_train.txt"), error.Path);
        Assert.Contains("line 2 names variant 'Cesna 172'", error.Message);
    }

    [Fact]
    public void Oxford_pet_reads_trainval_and_test_lists()
    {
        using var root = new DatasetFolder();
        string[] breeds = DatasetText.ClassNames(PaperDataset.OxfordIiitPet).Select(n => n.Replace(' ', '_')).ToArray();
        var trainval = breeds.Select((b, i) => $"{b}_{i + 10} {i + 1} {(i % 2) + 1} {i + 1}");
        root.Text("oxford-iiit-pet/annotations/trainval.txt", string.Join('\n', trainval) + "\n");
        root.Text("oxford-iiit-pet/annotations/test.txt", "Abyssinian_201 1 1 1\nyorkshire_terrier_190 37 2 25\n");
        root.Folder("oxford-iiit-pet/images");

        DatasetSplits splits = new OxfordIiitPetReader().Read(root.Root);

        // torch 1.13 random_split(range(37), [34, 3], seed 0): held 5, 27, 15; kept starts 21.
        Assert.Equal([5, 27, 15], splits.Validation.Select(s => s.Label));
        Assert.Equal("oxford-iiit-pet/images/Bengal_15.jpg", root.Relative(splits.Validation[0]));
        Assert.Equal(21, splits.Train[0].Label);
        Assert.Equal(34, splits.Train.Count);
        Assert.Equal([0, 36], splits.Test.Select(s => s.Label));
        Assert.Equal("oxford-iiit-pet/images/yorkshire_terrier_190.jpg", root.Relative(splits.Test[1]));
        Assert.Equal("Bengal", splits.ClassNames[5]);
    }

    [Fact]
    public void Cub200_joins_the_three_tables_in_image_order()
    {
        using var root = new DatasetFolder();
        root.Text("CUB_200_2011/classes.txt", string.Join('\n', Enumerable.Range(1, 200).Select(i => $"{i} {i:D3}.Bird_{i}")) + "\n");
        var images = new List<string>();
        var labels = new List<string>();
        var split = new List<string>();
        for (int id = 1; id <= 26; id++)
        {
            images.Add($"{id} {id:D3}.Bird_{id}/Bird_{id}_0001_{id}.jpg");
            if (id != 25)
            {
                labels.Add($"{id} {id}"); // image 25 has no label row: the inner join drops it
            }
            split.Add($"{id} {(id % 2 == 1 ? 1 : 0)}");
        }
        labels.Reverse(); // the join matches ids, not line positions
        root.Text("CUB_200_2011/images.txt", string.Join('\n', images) + "\n");
        root.Text("CUB_200_2011/image_class_labels.txt", string.Join('\n', labels) + "\n");
        root.Text("CUB_200_2011/train_test_split.txt", string.Join('\n', split) + "\n");
        root.Folder("CUB_200_2011/images");

        DatasetSplits splits = new Cub200Reader().Read(root.Root);

        // Train = ids 1, 3, ..., 23 (12; 25 dropped), labels 0, 2, ..., 22. torch 1.13 random_split(range(12), [11, 1], seed 0):
        // held 6 (id 13, label 12), kept starts 8, 0, 5 (labels 16, 0, 10).
        Assert.Equal([12], splits.Validation.Select(s => s.Label));
        Assert.Equal("CUB_200_2011/images/013.Bird_13/Bird_13_0001_13.jpg", root.Relative(splits.Validation[0]));
        Assert.Equal([16, 0, 10], splits.Train.Take(3).Select(s => s.Label));
        Assert.Equal(11, splits.Train.Count);
        Assert.Equal(Enumerable.Range(1, 13).Select(k => 2 * k - 1), splits.Test.Select(s => s.Label));
        Assert.Equal("Black footed Albatross", splits.ClassNames[0]);
    }

    [Fact]
    public void Ucf101_reads_the_zhou_split_file()
    {
        using var root = new DatasetFolder();
        string[] names = DatasetText.ClassNames(PaperDataset.Ucf101).ToArray();
        string Entry(int label, string clip) => $"[\"{names[label]}/v_{clip}.jpg\", {label}, \"{names[label]}\"]";
        string trainEntries = string.Join(", ", Enumerable.Range(0, 101).Select(k => Entry(k, $"c{k}_g08_c01")));
        root.Text("UCF-101-midframes/split_zhou_UCF101.json",
            $"{{\"train\": [{trainEntries}], \"val\": [{Entry(100, "y_g09_c02")}, {Entry(3, "b_g09_c01")}], \"test\": [{Entry(0, "a_g01_c01")}]}}");

        DatasetSplits splits = new Ucf101Reader().Read(root.Root);

        Assert.Equal((101, 2, 1), (splits.Train.Count, splits.Validation.Count, splits.Test.Count));
        Assert.Equal(("UCF-101-midframes/Yo_Yo/v_y_g09_c02.jpg", 100), (root.Relative(splits.Validation[0]), splits.Validation[0].Label));
        Assert.Equal("UCF-101-midframes/Apply_Eye_Makeup/v_a_g01_c01.jpg", root.Relative(splits.Test[0]));
        Assert.Equal("Apply_Eye_Makeup", splits.ClassNames[0]);
    }

    [Fact]
    public void Ucf101_class_first_seen_out_of_label_order_is_a_layout_error()
    {
        using var root = new DatasetFolder();
        root.Text("UCF-101-midframes/split_zhou_UCF101.json",
            "{\"train\": [[\"Archery/v_a.jpg\", 2, \"Archery\"], [\"Apply_Eye_Makeup/v_b.jpg\", 0, \"Apply_Eye_Makeup\"]], \"val\": [], \"test\": []}");
        var error = Assert.Throws<DatasetLayoutException>(() => new Ucf101Reader().Read(root.Root));
        Assert.Equal(root.PathOf("UCF-101-midframes/split_zhou_UCF101.json"), error.Path);
        Assert.Contains("train[0]: class 'Archery' first appears with label 2, expected 0", error.Message);
    }
}
