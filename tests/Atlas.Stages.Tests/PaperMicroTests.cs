using Atlas.Data;
using Atlas.Data.Datasets;
using Atlas.Data.Images;
using Atlas.Method;
using Atlas.Models;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Tests.Support;
using static TorchSharp.torch;

namespace Atlas.Stages.Tests;

/// <summary>The paper-profile micro experiment (<c>Specs/paper-micro.yaml</c>) run once: data generated in the real
/// layouts, the parity fixture's tiny CLIP as the pretrained checkpoint.</summary>
public sealed class PaperMicroRun : IDisposable
{
    public const string Name = "paper_micro";

    internal PaperMicroData Data { get; } = new();

    internal TempRepository Repository { get; }

    internal List<string> Ran { get; }

    public PaperMicroRun()
    {
        Repository = new TempRepository(SpecFor(Data.Root));
        try
        {
            CopyClip(Repository);
            Ran = Repository.RunAll(new StringWriter());
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The spec with its placeholders filled: data under <paramref name="dataRoot"/>, the CLIP in <c>clip/</c>.</summary>
    internal static string SpecFor(string dataRoot) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Specs", "paper-micro.yaml"))
            .Replace("{{DATA_ROOT}}", dataRoot.Replace('\\', '/'), StringComparison.Ordinal)
            .Replace("{{CONFIG}}", "clip/config.json", StringComparison.Ordinal)
            .Replace("{{CHECKPOINT}}", "clip/model.safetensors", StringComparison.Ordinal);

    /// <summary>Copies the parity fixture's config and weights (Hugging Face names) into <paramref name="repository"/>'s <c>clip/</c>.</summary>
    internal static void CopyClip(TempRepository repository)
    {
        string parity = Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Models.Tests", "Fixtures", "parity");
        Directory.CreateDirectory(repository.Absolute("clip"));
        foreach (string file in new[] { "config.json", "model.safetensors" })
            File.Copy(Path.Combine(parity, file), repository.Absolute(Path.Combine("clip", file)));
    }

    public void Dispose()
    {
        Repository?.Dispose();
        Data.Dispose();
    }
}

/// <summary>
/// Every experiment family on two of the paper's datasets read from their files: the dataset stages record what they
/// read and store the seeded validation split's indices, the evaluation sees exactly the pixels CLIP's preprocessing of
/// the files gives, a second run has nothing to do, moving the data reruns only the dataset stages (and the report), and a dataset changed
/// on disk stops the stages that read it, naming the stage to rerun.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Slow)] // runs the paper micro graph
public sealed class PaperMicroTests(PaperMicroRun run) : IClassFixture<PaperMicroRun>
{
    [Fact]
    public void Every_family_runs_with_the_dataset_stages_first()
    {
        string[] expected =
        [
            "dataset/eurosat", "dataset/mnist", "data", "import/pretrained",
            "heads/eurosat", "heads/mnist", "heads/mnist_parity", "finetune/eurosat", "finetune/mnist", "finetune/mnist_parity",
            "taskvector/eurosat", "taskvector/mnist", "taskvector/mnist_parity", "evaluate/eurosat", "evaluate/mnist", "evaluate/mnist_parity",
        ];
        Assert.Equal(expected, run.Ran.Take(expected.Length));
        foreach (string id in new[] { "addition/atlas_blockwise", "negation/eurosat", "fewshot/eurosat", "tta/mnist", "selection/mnist", "peft/eurosat", "report" })
            Assert.Contains(id, run.Ran);
        using var session = run.Repository.Open();
        Assert.Equal(session.Graph.TopologicalOrder().Select(n => n.Id), run.Ran);
    }

    [Fact]
    public void Dataset_stages_record_the_parts_and_store_the_seeded_validation_indices_beside_the_results()
    {
        using var session = run.Repository.Open();
        var context = session.Context;
        var euroSat = PaperDataStage.Read(context, "eurosat");
        int classes = PaperMicroData.EuroSatFolders.Length;
        Assert.Equal((10, classes * PaperMicroData.EuroSatTrain, classes * PaperMicroData.EuroSatVal, classes * PaperMicroData.EuroSatTest, ValidationSource.Dataset),
            (euroSat.Classes, euroSat.Train, euroSat.Validation, euroSat.Test, euroSat.ValidationFrom));
        Assert.Empty(ValidationSplitFile.Read(run.Repository.Absolute(context.Layout.StageFile("dataset/eurosat", PaperDataStage.ValidationFile))).ValidationIndices);

        // MNIST: 60 training images, ⌊0.1 · 60⌋ = 6 held out by torch's random_split with seed 0.
        var mnist = PaperDataStage.Read(context, "mnist");
        Assert.Equal((54, 6, 20, ValidationSource.SeededRandomSplit), (mnist.Train, mnist.Validation, mnist.Test, mnist.ValidationFrom));
        var stored = ValidationSplitFile.Read(run.Repository.Absolute(context.Layout.StageFile("dataset/mnist", PaperDataStage.ValidationFile)));
        Assert.Equal((60, 0L), (stored.TrainCount, stored.Seed));
        Assert.Equal(SeededRandomSplit.Split(60, 6, 0).Held, stored.ValidationIndices);
        // The validation images are those training images: labels i mod 10 in the generated file.
        using var val = context.TaskData(context.Task("mnist"), SourceSplit.Val);
        Assert.Equal(stored.ValidationIndices.Select(i => (long)(i % 10)), val.Labels.data<long>().ToArray());
    }

    [Fact]
    public void Zero_shot_test_accuracy_equals_clip_preprocessing_of_the_files_through_the_pretrained_tower()
    {
        using var session = run.Repository.Open();
        var context = session.Context;
        // The independent path: atlas embed's preprocessing (ClipEvalTransform with CLIP's mean/std in one pass over the
        // bytes) of the test files in the reader's order (class folders sorted, files sorted by name).
        var files = Enumerable.Range(0, PaperMicroData.EuroSatFolders.Length)
            .SelectMany(c => Enumerable.Range(0, PaperMicroData.EuroSatTest).Select(i => (Path: run.Data.EuroSatImage("test", c, i), Label: (long)c)))
            .ToList();
        using var scope = NewDisposeScope();
        var pixels = ClipEvalTransform.PixelValues([.. files.Select(f => f.Path)], context.Config.Vision.ImageSize,
            context.Config.Preprocess.Mean, context.Config.Preprocess.Std, workers: 1);
        var logits = ZeroShotHead.Logits(ClipForward.EncodeImage(pixels, context.PretrainedVisual(), context.Config.Vision), HeadStage.Read(context, "eurosat"));
        double expected = 100.0 * logits.argmax(1).eq(tensor(files.Select(f => f.Label).ToArray())).sum().item<long>() / files.Count;
        Assert.Equal(expected, EvaluateStage.Read(context, "eurosat").ZeroShotTest, 10);
    }

    [Fact]
    public void A_second_run_has_nothing_to_do()
    {
        Assert.Empty(run.Repository.RunAll(new StringWriter()));
    }

    [Fact]
    public void Moving_the_data_reruns_only_the_dataset_stages_and_a_changed_dataset_stops_its_readers()
    {
        using var moved = new PaperMicroData(); // generated byte for byte again, under another root
        using var repository = new TempRepository(PaperMicroRun.SpecFor(moved.Root));
        PaperMicroRun.CopyClip(repository);
        repository.CopyArtifactsFrom(run.Repository);
        // The report reruns too: it shows the resolved spec, whose data root changed.
        Assert.Equal(["dataset/eurosat", "dataset/mnist", "report"], repository.RunAll(new StringWriter()));

        moved.AddEuroSatImage("train", 4, 99);
        using (var session = repository.Open())
        {
            var error = Assert.Throws<InvalidDataException>(() => session.Run("finetune/eurosat", force: true));
            Assert.Contains("eurosat", error.Message);
            Assert.Contains("dataset/eurosat", error.Message);
            Assert.Contains("the folder changed", error.Message);
        }
        using (var session = repository.Open())
        {
            Assert.True(session.Run("dataset/eurosat", force: true));
            Assert.Equal(PaperMicroData.EuroSatFolders.Length * PaperMicroData.EuroSatTrain + 1, PaperDataStage.Read(session.Context, "eurosat").Train);
        }
        using (var session = repository.Open())
        {
            var plan = session.Plan();
            Assert.False(plan["finetune/eurosat"].IsUpToDate);
            Assert.True(plan["finetune/mnist"].IsUpToDate);
            Assert.True(plan["finetune/mnist_parity"].IsUpToDate);
        }
    }
}
