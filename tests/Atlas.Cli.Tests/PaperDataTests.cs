namespace Atlas.Cli.Tests;

/// <summary>
/// A spec on two paper datasets whose data root comes from an environment variable: a run stops before any stage when
/// a dataset's folder is missing, naming it with its expected layout; planning needs neither the variable nor the data.
/// </summary>
public sealed class PaperDataTests : CliTestFolder
{
    private const string Variable = "ATLAS_CLI_TEST_DATA";

    // SOI, an APP0 JFIF header and EOI: the start and end of a JPEG file (readers list images, never decode them).
    private static readonly byte[] JpegBytes =
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9];

    // EuroSAT's ten class folders as the atlas DATASETS.md script names them.
    private static readonly string[] EuroSatFolders =
        ["AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial", "Pasture", "PermanentCrop", "Residential", "River", "SeaLake"];

    private const string Spec = """
        name: paper
        seed: 1
        backbone: mini
        data:
          root: ${ATLAS_CLI_TEST_DATA}
          sources:
            mnist: { pretrain: 100, train: 200, val: 50, test: 50 }
          datasets: [eurosat, dtd]
        pretrain:
          sources: [mnist]
          templates: eurosat
          steps: 2
          batch: 2
          lr: 0.001
        tasks:
          - name: eurosat
            source: eurosat
          - name: dtd
            source: dtd
        finetune:
          lr: 0.001
          batch: 2
          steps: 2

        """;

    public PaperDataTests()
    {
        File.WriteAllText(folder.File("paper.yaml"), Spec);
        // EuroSAT in its layout (one image per class folder and split); no dtd folder at all.
        foreach (var split in new[] { "train", "val", "test" })
            foreach (var name in EuroSatFolders)
            {
                var classFolder = Directory.CreateDirectory(Path.Combine(DataRoot, "EuroSAT_splits", split, name)).FullName;
                File.WriteAllBytes(Path.Combine(classFolder, $"{name}_1.jpg"), JpegBytes);
            }
    }

    private string DataRoot => folder.File("paper-data");

    private AtlasResult AtlasWith(string? dataRoot, params string[] args) =>
        AtlasProcess.Run(folder.Path, new Dictionary<string, string?> { [Variable] = dataRoot }, args);

    [Fact]
    public void A_run_with_a_dataset_folder_missing_stops_before_any_stage_with_the_expected_layout()
    {
        var result = AtlasWith(DataRoot, "run", "--spec", "paper.yaml", "--stage", "data");

        Assert.True(result.ExitCode == 2, result.ToString()); // a spec error
        // At the dataset's place in the spec ("  datasets: [eurosat, dtd]" is line 8, dtd at column 23).
        Assert.Contains($"paper.yaml:8:23: data.datasets[1]: Dataset 'dtd': missing folder: {Path.Combine(DataRoot, "dtd", "train")}\n", result.Error);
        // The mini source of the same root has no manifest there either: a run would have failed in its data stage.
        Assert.Contains($"paper.yaml:7:12: data.sources.mnist: {Path.Combine(DataRoot, "manifest.json")}: mini data manifest not found", result.Error);
        Assert.Contains("Expected layout under the data root:\ndtd/train/<texture>/*.jpg   47 texture folders (split 1: train1 + val1)\n"
            + "dtd/val/<texture>/*.jpg     the same 47 folders (split 1: test1), the test split", result.Error);
        Assert.DoesNotContain("data.datasets[0]", result.Error);
        Assert.Equal("", result.Out); // no "[data] running"
        Assert.False(Directory.Exists(folder.File("artifacts")), "a refused run wrote artifacts");
    }

    [Fact]
    public void A_run_without_the_variable_is_refused_at_the_value_naming_it()
    {
        var result = AtlasWith(null, "run", "--spec", "paper.yaml", "--stage", "data");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("paper.yaml:5:9: data.root: environment variable ATLAS_CLI_TEST_DATA is not set; '${ATLAS_CLI_TEST_DATA}' needs it (export ATLAS_CLI_TEST_DATA=...)",
            result.Error.TrimEnd());
        Assert.False(Directory.Exists(folder.File("artifacts")));
    }

    [Fact]
    public void Plan_needs_neither_the_variable_nor_the_data_and_warns_once()
    {
        var result = AtlasWith(null, "plan", "--spec", "paper.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("warning: paper.yaml: environment variable ATLAS_CLI_TEST_DATA not set; left literal, and the files the spec names are not checked (only planning works so)", lines[0]);
        Assert.DoesNotContain(lines.Skip(1), l => l.StartsWith("warning", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("finetune/eurosat ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("finetune/dtd ", StringComparison.Ordinal));
        Assert.False(Directory.Exists(folder.File("artifacts")));
    }

    [Fact]
    public void Clean_needs_neither_the_variable_nor_the_data()
    {
        var stale = Directory.CreateDirectory(folder.File(Path.Combine("artifacts", "paper", "data"))).FullName;

        var result = AtlasWith(null, "clean", "--spec", "paper.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.EndsWith("removed artifacts/paper\n", result.Out.ReplaceLineEndings("\n"));
        Assert.False(Directory.Exists(stale));
    }
}
