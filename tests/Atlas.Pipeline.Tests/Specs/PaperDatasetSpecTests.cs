using Atlas.Pipeline.Specs;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>
/// Tasks on the paper's datasets (<c>data.datasets</c>): the names checked against the caller's known datasets, and a
/// task's omitted classes and templates filled in from its dataset. The datasets here are made up (three car kinds,
/// two textures) so every expected value is written out by hand.
/// </summary>
public sealed class PaperDatasetSpecTests
{
    private static readonly PaperDatasetText Cars = new(["sedan", "coupe", "van"], ["a photo of a {c}.", "a photo of my {c}."]);
    private static readonly PaperDatasetText Dtd = new(["banded", "blotchy"], ["a photo of a {c} texture."]);
    private static readonly PaperDatasetText Digits = new(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], ["a photo of the number: \"{c}\"."]);

    /// <summary>The fixture's context (mini sources mnist, fashion_mnist, optdigits) knowing three paper datasets; mnist
    /// is both a mini source and a paper dataset, as in the real build.</summary>
    internal static SpecContext Context { get; } = SpecFixture.Context with
    {
        PaperDatasets = new Dictionary<string, PaperDatasetText> { ["cars"] = Cars, ["dtd"] = Dtd, ["mnist"] = Digits },
    };

    // Line numbers matter: the tests below assert exact error locations.
    internal const string PaperYaml = """
        name: paper
        seed: 1
        backbone: mini
        pretrained_checkpoint: clip.safetensors
        data:
          root: data
          datasets: [cars, dtd]
        tasks:
          - name: cars
            source: cars
          - name: dtd
            source: dtd
        finetune:
          lr: 0.001
          batch: 16
          steps: 20

        """;

    private const string MixedYaml = """
        name: mixed
        seed: 1
        backbone: mini
        data:
          root: data
          sources:
            mnist: { pretrain: 100, train: 200, val: 50, test: 50 }
          datasets: [cars]
        pretrain:
          sources: [mnist]
          templates: cars
          steps: 20
          batch: 8
          lr: 0.001
        templates:
          digit: ["a photo of the number {c}."]
        tasks:
          - name: mnist
            source: mnist
            classes: [zero, one, two, three, four, five, six, seven, eight, nine]
            templates: digit
          - name: cars
            source: cars
        finetune:
          lr: 0.001
          batch: 16
          steps: 20

        """;

    private static string Edit(string yaml, string original, string replacement)
    {
        int first = yaml.IndexOf(original, StringComparison.Ordinal);
        Assert.True(first >= 0 && yaml.IndexOf(original, first + 1, StringComparison.Ordinal) < 0, $"'{original}' must occur once");
        return yaml.Replace(original, replacement, StringComparison.Ordinal);
    }

    private static void AssertErrors(string yaml, params string[] expected) => SpecFixture.AssertErrors(Context, yaml, expected);

    [Fact]
    public void Tasks_on_paper_datasets_get_the_dataset_class_names_and_a_template_set_named_after_it()
    {
        var spec = SpecLoader.Parse(PaperYaml, "paper.yaml", Context);

        Assert.Equal(["sedan", "coupe", "van"], spec.Tasks[0].Classes);
        Assert.Equal("cars", spec.Tasks[0].Templates);
        Assert.Equal(["banded", "blotchy"], spec.Tasks[1].Classes);
        Assert.Equal("dtd", spec.Tasks[1].Templates);
        Assert.Equal(["cars", "dtd"], spec.Templates.Keys);
        Assert.Equal(["a photo of a {c}.", "a photo of my {c}."], spec.Templates["cars"]);
        Assert.Equal(["a photo of a {c} texture."], spec.Templates["dtd"]);
        var resolved = SpecResolver.Resolve(spec);
        Assert.Equal([0, 1, 2], resolved.Task("cars").LabelMap);
        Assert.Equal(["a photo of a {c} texture."], resolved.Task("dtd").Templates);
    }

    [Fact]
    public void A_template_set_the_spec_defines_under_the_dataset_name_replaces_the_paper_one()
    {
        var spec = SpecLoader.Parse(Edit(PaperYaml, "tasks:\n", "templates:\n  cars: [\"{c}, a car.\"]\ntasks:\n"), "paper.yaml", Context);

        Assert.Equal(["{c}, a car."], spec.Templates["cars"]);
        Assert.Equal(["a photo of a {c} texture."], spec.Templates["dtd"]);
        Assert.Equal(["cars", "dtd"], spec.Templates.Keys);
    }

    [Fact]
    public void Classes_and_templates_written_on_a_paper_task_are_kept()
    {
        var spec = SpecLoader.Parse(
            Edit(PaperYaml, "    source: cars\n", "    source: cars\n    label_map: [0, 0, 1]\n    classes: [car, van]\n    templates: dtd\n"),
            "paper.yaml", Context);

        Assert.Equal(["car", "van"], spec.Tasks[0].Classes);
        Assert.Equal("dtd", spec.Tasks[0].Templates);
        Assert.Equal(["dtd"], spec.Templates.Keys); // no task uses the cars set now
    }

    [Fact]
    public void A_paper_task_with_another_class_count_and_no_label_map_is_refused_at_its_classes()
    {
        AssertErrors(
            Edit(PaperYaml, "    source: cars\n", "    source: cars\n    classes: [car, van]\n"),
            "11:14: tasks[0].classes: 2 classes, but source 'cars' has 3 labels; add a label_map to relabel them");
    }

    [Fact]
    public void A_label_map_is_checked_against_the_paper_dataset_label_count_and_the_default_classes()
    {
        AssertErrors(
            Edit(PaperYaml, "    source: dtd\n", "    source: dtd\n    label_map: [0, 1, 2]\n"),
            "13:16: tasks[1].label_map: has 3 entries, but source 'dtd' has 2 labels (one entry per source label)",
            "13:23: tasks[1].label_map[2]: class index 2 is outside 0..1 (the task has 2 classes)");
    }

    [Fact]
    public void An_unknown_paper_dataset_is_refused_with_the_known_ones_and_the_nearest()
    {
        AssertErrors(
            Edit(PaperYaml, "[cars, dtd]", "[carz, dtd]"),
            "7:14: data.datasets[0]: unknown paper dataset 'carz' (known: cars, dtd, mnist); did you mean 'cars'?",
            "10:13: tasks[0].source: paper dataset 'cars' is not listed under data.datasets");
    }

    [Fact]
    public void A_dataset_listed_twice_is_refused_at_the_second()
    {
        AssertErrors(Edit(PaperYaml, "[cars, dtd]", "[cars, dtd, cars]"), "7:25: data.datasets[2]: dataset 'cars' is listed twice");
    }

    [Fact]
    public void A_name_both_a_mini_source_and_a_paper_dataset_is_refused()
    {
        AssertErrors(
            Edit(MixedYaml, "  datasets: [cars]", "  datasets: [cars, mnist]"),
            "8:20: data.datasets[1]: 'mnist' is also a mini source under data.sources; a task's source must name one thing: keep one of the two");
    }

    [Fact]
    public void A_spec_with_neither_sources_nor_datasets_is_refused_at_data()
    {
        AssertErrors(
            Edit(PaperYaml, "  datasets: [cars, dtd]\n", ""),
            "6:3: data: no data: list mini sources under 'sources' or the paper's datasets under 'datasets'",
            "9:13: tasks[0].source: paper dataset 'cars' is not listed under data.datasets",
            "11:13: tasks[1].source: paper dataset 'dtd' is not listed under data.datasets");
    }

    [Fact]
    public void Mini_sources_and_paper_datasets_mix_and_pretraining_may_caption_with_a_paper_template_set()
    {
        var spec = SpecLoader.Parse(MixedYaml, "mixed.yaml", Context);

        Assert.Equal(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"], spec.Tasks[0].Classes);
        Assert.Equal(["sedan", "coupe", "van"], spec.Tasks[1].Classes);
        Assert.Equal(["digit", "cars"], spec.Templates.Keys);
    }

    [Fact]
    public void Pretraining_reads_only_mini_sources()
    {
        AssertErrors(
            Edit(MixedYaml, "[mnist]", "[mnist, cars]"),
            "10:20: pretrain.sources[1]: 'cars' is a paper dataset; pretraining reads only the mini sources under data.sources");
    }

    [Fact]
    public void A_task_on_a_mini_source_without_classes_or_templates_is_refused_at_the_task()
    {
        AssertErrors(
            Edit(MixedYaml, "    classes: [zero, one, two, three, four, five, six, seven, eight, nine]\n    templates: digit\n", ""),
            "18:5: tasks[0].classes: required key is missing: a task on the mini source 'mnist' names its classes (only a paper dataset's tasks default them)",
            "18:5: tasks[0].templates: required key is missing: a task on the mini source 'mnist' names its templates (only a paper dataset's tasks default them)");
    }

    [Fact]
    public void A_paper_task_naming_an_undefined_template_set_lists_the_spec_and_dataset_sets()
    {
        AssertErrors(
            Edit(MixedYaml, "    source: cars\n", "    source: cars\n    templates: car\n"),
            "24:16: tasks[1].templates: unknown template set 'car' (known: digit, cars)");
    }

    [Fact]
    public void A_task_on_an_unknown_source_lists_mini_sources_and_paper_datasets()
    {
        AssertErrors(
            Edit(PaperYaml, "    source: dtd", "    source: flowers"),
            "12:13: tasks[1].source: unknown dataset 'flowers' (known: mnist, fashion_mnist, optdigits, cars, dtd)");
    }

    [Fact]
    public void The_loaded_paper_spec_written_out_loads_back_to_the_same_tasks_and_templates()
    {
        var spec = SpecLoader.Parse(PaperYaml, "paper.yaml", Context);
        var written = SpecWriter.ToResolvedYaml(spec);

        var reloaded = SpecLoader.Parse(written, "resolved.yaml", Context);

        Assert.Equal(spec.Tasks.Select(t => (t.Classes, t.Templates)), reloaded.Tasks.Select(t => (t.Classes, t.Templates)), new TaskTextComparer());
        Assert.Equal(spec.Templates.Keys, reloaded.Templates.Keys);
    }

    private sealed class TaskTextComparer : IEqualityComparer<(List<string> Classes, string Templates)>
    {
        public bool Equals((List<string> Classes, string Templates) x, (List<string> Classes, string Templates) y) =>
            x.Classes.SequenceEqual(y.Classes) && x.Templates == y.Templates;

        public int GetHashCode((List<string> Classes, string Templates) obj) => obj.Templates.GetHashCode(StringComparison.Ordinal);
    }
}
