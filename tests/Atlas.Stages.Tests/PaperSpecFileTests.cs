using System.Text.Json;
using Atlas.Pipeline.Specs;
using Atlas.Stages.Addition;
using Atlas.Stages.FewShot;
using Atlas.Stages.Negation;
using Atlas.Stages.Peft;
using Atlas.Stages.TestTime;

namespace Atlas.Stages.Tests;

/// <summary>
/// The committed paper specs (<c>experiments/paper/*.yaml</c>, written by <c>experiments/paper/generate.py</c>): each loads
/// with <c>ATLAS_DATA</c> and <c>ATLAS_CHECKPOINTS</c> set to a temporary folder, its graph names every task and every
/// target, and the 15 files agree wherever the paper's protocol says they must. Expected values are the paper's
/// (docs in each file's comments: atlas-method.md §2, §4.1–§4.5), written out here by hand.
/// </summary>
public sealed class PaperSpecFileTests : IDisposable
{
    private static readonly string Folder = Path.Combine(RepositoryRoot.Path, "experiments", "paper");

    private static readonly string[] Classic = ["cars", "dtd", "eurosat", "gtsrb", "mnist", "resisc45", "sun397", "svhn"];

    private static readonly string[] All22 =
    [
        "cars", "dtd", "eurosat", "gtsrb", "mnist", "resisc45", "sun397", "svhn", "cifar10", "cifar100", "imagenet", "stl10",
        "food101", "caltech101", "caltech256", "fgvc_aircraft", "flowers102", "oxford_iiit_pet", "cub200", "pascal_voc",
        "country211", "ucf101",
    ];

    private static readonly (string Slug, string Backbone)[] Backbones = [("vit-b-32", "ViT-B-32"), ("vit-b-16", "ViT-B-16"), ("vit-l-14", "ViT-L-14")];
    private static readonly string[] Families = ["addition", "negation", "few-shot", "test-time", "peft"];

    private readonly string _variables = Path.Combine(Path.GetTempPath(), $"atlas-paper-specs-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_variables)) Directory.Delete(_variables, recursive: true);
    }

    private string Data => Path.Combine(_variables, "data");
    private string Checkpoints => Path.Combine(_variables, "checkpoints");

    private static readonly string[] FileNames = [.. Backbones.SelectMany(b => Families.Select(f => $"{b.Slug}-{f}.yaml"))];

    public static TheoryData<string> SpecFiles() => new(FileNames);

    /// <summary>Loads a committed spec as <c>atlas plan</c> does (the graph only: no checkpoint or dataset is read), with
    /// the two variables pointing into the temporary folder and a GPU assumed present (the CPU build refuses
    /// <c>device: cuda</c>).</summary>
    private ExperimentSpec Load(string file)
    {
        Directory.CreateDirectory(_variables);
        var context = ExperimentSession.Known with
        {
            CudaAvailable = () => true,
            Level = SpecCheckLevel.GraphOnly,
            Files = null,
            Variables = name => name switch { "ATLAS_DATA" => Data, "ATLAS_CHECKPOINTS" => Checkpoints, _ => null },
        };
        return SpecLoader.Load(Path.Combine(Folder, file), context);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    [Fact]
    public void The_folder_holds_exactly_the_15_specs()
    {
        var files = Directory.GetFiles(Folder, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(FileNames.Order(StringComparer.Ordinal), files);
    }

    [Theory]
    [MemberData(nameof(SpecFiles))]
    public void Each_spec_loads_with_the_variables_and_its_graph_names_every_task_and_target(string file)
    {
        var spec = Load(file);
        using var context = new ExperimentContext(RepositoryRoot.Path, Path.Combine(Folder, file), spec, new StringWriter());
        var ids = ExperimentGraph.Build(context).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);

        string backbone = Backbones.Single(b => file.StartsWith(b.Slug, StringComparison.Ordinal)).Backbone;
        string family = file[(file.IndexOf('-', 7) + 1)..^".yaml".Length];
        string[] expectedTasks = family switch
        {
            "addition" => Classic,
            "negation" => [.. Classic, "imagenet"],
            _ => All22,
        };
        Assert.Equal(Path.GetFileNameWithoutExtension(file), spec.Name);
        Assert.Equal(backbone, spec.Backbone);
        Assert.Equal(ComputeDevice.Cuda, spec.Device);
        Assert.Equal(Data, spec.Data.Root);
        Assert.Equal(expectedTasks, spec.Data.Datasets);
        Assert.Equal(expectedTasks, spec.Tasks.Select(t => t.Name));
        Assert.Equal(Path.Combine(Checkpoints, backbone, "openai.safetensors"), spec.PretrainedCheckpoint!.Replace('/', Path.DirectorySeparatorChar));
        Assert.Contains(StageIds.ImportPretrained, ids);
        Assert.DoesNotContain(StageIds.Pretrain, ids);

        foreach (var task in spec.Tasks)
        {
            Assert.Equal(task.Name, task.Source);
            Assert.NotEmpty(task.Classes);      // filled from the dataset
            Assert.Equal(task.Name, task.Templates);
            Assert.StartsWith(Path.Combine(Checkpoints, backbone) + "/", task.FinetunedCheckpoint);
            Assert.EndsWith("Val/finetuned.safetensors", task.FinetunedCheckpoint);
            foreach (var id in new[] { StageIds.Head(task.Name), StageIds.ImportFineTune(task.Name), StageIds.TaskVector(task.Name), StageIds.Evaluate(task.Name) })
                Assert.True(ids.Contains(id), $"{file}: the graph has no stage {id}");
            Assert.DoesNotContain(StageIds.FineTune(task.Name), ids);  // imported, not fine-tuned
        }

        IEnumerable<string> familyStages = family switch
        {
            "addition" => spec.Addition!.Methods.Select(AdditionStage.IdOf),
            "negation" => spec.Negation!.Targets.Select(t => NegationStage.IdOf(t.Task)),
            "few-shot" => spec.FewShot!.Targets.Select(FewShotStage.IdOf),
            "test-time" => spec.TestTime!.Targets.Select(TestTimeStage.IdOf),
            "peft" => [.. spec.Peft!.Targets.Select(PeftStage.IdOf), .. All22.Select(StageIds.LoraFineTune)],
            _ => throw new ArgumentOutOfRangeException(nameof(file), family, "unknown family"),
        };
        Assert.All(familyStages, id => Assert.True(ids.Contains(id), $"{file}: the graph has no stage {id}"));
        int familySections = new object?[] { spec.Addition, spec.Negation, spec.FewShot, spec.TestTime, spec.Peft, spec.BlockSelection }.Count(s => s is not null);
        Assert.Equal(1, familySections);
    }

    [Fact]
    public void The_shared_parts_agree_across_the_15_files_and_are_the_papers()
    {
        var specs = FileNames.ToDictionary(f => f, Load);

        foreach (var (file, spec) in specs)
        {
            int accumulation = spec.Backbone == "ViT-L-14" ? 2 : 1;
            // Fine-tuning recipe (atlas-method.md §2): AdamW 1e-5, wd 0.1, batch 128 (L/14: 2 x 64), 500 warm-up, cosine, clip 1.
            var finetune = spec.Finetune;
            Assert.Equal((1e-5, 0.1, 128, 500, ScheduleKind.Cosine, 1.0, accumulation),
                (finetune.Lr, finetune.WeightDecay, finetune.Batch, finetune.WarmupSteps, finetune.Schedule, finetune.GradClip, finetune.GradientAccumulation));
            Assert.Equal([0.9, 1.0], finetune.CropScale);
            Assert.Equal(1, spec.Seed);
            Assert.Null(spec.Pretrain);
            Assert.Equal(Path.Combine(Checkpoints, "bpe_simple_vocab_16e6.txt.gz"), spec.TokenizerVocabulary);
            var paper = spec.Verify!.Paper!;
            Assert.Null(spec.Verify.Approved);
            Assert.Equal(("experiments/reference/paper", 1.0, PaperAverage.RowMean), (paper.Folder, paper.Tolerance, paper.Average));
            Assert.True(Directory.Exists(Path.Combine(RepositoryRoot.Path, paper.Folder, spec.Backbone)), $"{file}: no reference folder for {spec.Backbone}");
        }

        // A task's fine-tuning steps are the release's epochs x ceil(train / 128) (numbers.md §6), the same in every file.
        var steps = specs.Values.SelectMany(s => s.Tasks).GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.Select(t => t.Finetune!.Steps).Distinct().Single());
        Assert.Equal(35 * 58, steps["cars"]);       // 7,330 / 128 → 58 batches
        Assert.Equal(5 * 430, steps["mnist"]);      // 55,000 / 128 → 430
        Assert.Equal(10 * 9971, steps["imagenet"]); // 1,276,167 / 128 → 9,971
        Assert.Equal(4 * 36, steps["stl10"]);       // 4,500 / 128 → 36

        // Each family's section is the same for the three backbones except the L/14 coefficient-learning accumulation
        // (PEFT has no accumulation field: its sections are identical).
        foreach (var family in Families)
        {
            var sections = Backbones.Select(b => specs[$"{b.Slug}-{family}.yaml"]).Select(s => (s.Backbone, Section: SectionJson(s))).ToList();
            if (family != "peft")
                Assert.Contains(Accumulation(2), sections.Single(s => s.Backbone == "ViT-L-14").Section, StringComparison.Ordinal);
            var normalised = sections.Select(s => s.Section.Replace(Accumulation(2), Accumulation(1), StringComparison.Ordinal)).Distinct().ToList();
            Assert.True(normalised.Count == 1, $"{family}: the backbones' sections differ:\n{string.Join("\n", normalised)}");
        }

        // The paper's per-family values (atlas-method.md §4.1–§4.5).
        var addition = specs["vit-b-32-addition.yaml"].Addition!;
        Assert.Equal((1e-3, 20, 16, ScheduleKind.Constant), (addition.Learn.Lr, addition.Learn.Epochs, addition.Learn.Batch, addition.Learn.Schedule));
        Assert.Equal(Classic, addition.Tasks);
        var negation = specs["vit-b-32-negation.yaml"].Negation!;
        Assert.Equal(
            [("cars", 20, 5e-3), ("dtd", 20, 10e-3), ("eurosat", 3, 5e-3), ("gtsrb", 5, 5e-3), ("mnist", 7, 3e-3), ("resisc45", 10, 2e-3), ("sun397", 10, 3e-3), ("svhn", 2, 5e-3)],
            negation.Targets.Select(t => (t.Task, t.Epochs!.Value, t.Lr!.Value)));
        Assert.All(negation.Targets, t => Assert.Equal("imagenet", t.Control));
        Assert.Equal((64, 0.95), (negation.Learn.Batch, negation.ControlThreshold));
        var fewShot = specs["vit-b-32-few-shot.yaml"].FewShot!;
        Assert.Equal((0.1, 10, 128, ScheduleKind.Cosine, 3), (fewShot.Learn.Lr, fewShot.Learn.Epochs, fewShot.Learn.Batch, fewShot.Learn.Schedule, fewShot.Seeds));
        Assert.Equal([1, 2, 4, 8, 16], fewShot.Shots);
        Assert.Equal([0.5, 1.0], fewShot.Learn.CropScale);
        Assert.Equal(All22, fewShot.Targets);
        // Table 9 (ViT-B/32) averages 3 seeds, Table 12 (ViT-B/16, ViT-L/14) one.
        Assert.Equal(1, specs["vit-b-16-few-shot.yaml"].FewShot!.Seeds);
        Assert.Equal(1, specs["vit-l-14-few-shot.yaml"].FewShot!.Seeds);
        var testTime = specs["vit-b-32-test-time.yaml"].TestTime!;
        Assert.Equal((1e-3, 10, 128, ScheduleKind.Cosine), (testTime.Learn.Lr, testTime.Learn.Epochs, testTime.Learn.Batch, testTime.Learn.Schedule));
        Assert.Equal([TestTimeObjective.Sar, TestTimeObjective.Ufm], testTime.Objectives);
        Assert.Equal(All22, testTime.Targets);
        var peft = specs["vit-b-32-peft.yaml"].Peft!;
        Assert.Equal([0.01, 0.05, 0.1, 0.25, 0.35, 0.5, 1.0], peft.Fractions);
        Assert.Equal([1, 5, 20, 80, 1200], peft.Atlas.Partitions);
        Assert.Equal((0.1, 1e-3, 16, 32.0, 128), (peft.Atlas.Lr, peft.Lora.Lr, peft.Lora.Rank, peft.Lora.Alpha, peft.Batch));
        Assert.Equal([PeftMethod.Atlas, PeftMethod.Lora], peft.Methods);
    }

    private static string Accumulation(int k) => $"\"GradientAccumulation\":{k}";

    private static string SectionJson(ExperimentSpec spec) =>
        spec.Addition is { } a ? Json(a) : spec.Negation is { } n ? Json(n)
        : spec.FewShot is { } f ? Json(f with { Seeds = 0 })  // seeds differ by backbone, checked on their own
        : spec.TestTime is { } t ? Json(t) : Json(spec.Peft!);
}
