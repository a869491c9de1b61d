using Atlas.Pipeline.Specs;
using static Atlas.Pipeline.Tests.Specs.SpecFixture;

namespace Atlas.Pipeline.Tests.Specs;

public sealed class SpecLoaderTests
{
    [Fact]
    public void Valid_spec_loads()
    {
        var spec = SpecLoader.Parse(ValidYaml, "valid.yaml", Context);

        Assert.Equal("fixture", spec.Name);
        Assert.Equal(2, spec.Threads);
        Assert.Equal(["mnist", "mnist_parity"], spec.Tasks.Select(t => t.Name));
        Assert.Equal(0.002, spec.Tasks[1].Finetune!.Lr);
        Assert.Equal(512, spec.Evaluate.Batch);
    }

    [Fact]
    public void Repository_mini_spec_loads()
    {
        var spec = SpecLoader.Load(Path.Combine(RepositoryRoot.Path, "experiments", "mini.yaml"), Context);

        Assert.Equal("mini", spec.Name);
    }

    [Fact]
    public void Typoed_key_is_unknown_with_suggestion()
    {
        AssertErrors(
            With("  lr: 0.001\n  batch: 16", "  learnrate: 0.001\n  batch: 16"),
            "40:3: finetune.learnrate: unknown key; did you mean 'lr'?",
            "40:3: finetune.lr: required key is missing");
    }

    [Fact]
    public void Unknown_key_in_task_overrides_is_located()
    {
        AssertErrors(
            With("      lr: 0.002", "      lrr: 0.002"),
            "36:7: tasks[1].finetune.lrr: unknown key; did you mean 'lr'?");
    }

    [Fact]
    public void Wrong_scalar_type_is_located()
    {
        AssertErrors(
            With("  batch: 16", "  batch: sixteen"),
            "41:10: finetune.batch: expected an integer, got 'sixteen'");
    }

    [Fact]
    public void List_where_scalar_expected_is_located()
    {
        AssertErrors(
            With("backbone: mini", "backbone: [mini]"),
            "4:11: backbone: expected a string, got a list");
    }

    [Fact]
    public void Missing_required_field_is_located_at_its_mapping()
    {
        AssertErrors(
            With("seed: 7\n", ""),
            "2:1: seed: required key is missing");
    }

    [Fact]
    public void Null_for_required_value_is_rejected()
    {
        AssertErrors(
            With("backbone: mini", "backbone: ~"),
            "4:11: backbone: a value is required");
    }

    [Fact]
    public void Duplicate_key_is_rejected_instead_of_last_wins()
    {
        AssertErrors(
            With("  batch: 16\n", "  batch: 16\n  batch: 32\n"),
            "42:3: finetune.batch: duplicate key (first given at line 41); YAML would silently keep only the last");
    }

    [Fact]
    public void Negative_learning_rate_is_rejected()
    {
        AssertErrors(
            With("  lr: 0.001\n  batch", "  lr: -0.001\n  batch"),
            "40:7: finetune.lr: must be > 0, got -0.001");
    }

    [Fact]
    public void Unknown_dataset_lists_the_known_ones()
    {
        AssertErrors(
            With("    source: mnist\n    classes: [zero", "    source: fashion\n    classes: [zero"),
            "26:13: tasks[0].source: unknown dataset 'fashion' (known: mnist, fashion_mnist, optdigits)");
    }

    [Fact]
    public void Label_map_entry_outside_the_classes_is_rejected()
    {
        AssertErrors(
            With("[0, 1, 0, 1, 0, 1, 0, 1, 0, 1]", "[0, 1, 0, 1, 0, 1, 0, 1, 0, 2]"),
            "32:44: tasks[1].label_map[9]: class index 2 is outside 0..1 (the task has 2 classes)");
    }

    [Fact]
    public void Label_map_must_cover_every_source_label()
    {
        AssertErrors(
            With("[0, 1, 0, 1, 0, 1, 0, 1, 0, 1]", "[0, 1, 0]"),
            "32:16: tasks[1].label_map: has 3 entries, but source 'mnist' has 10 labels (one entry per source label)");
    }

    [Fact]
    public void Semantic_errors_are_reported_together_in_file_order()
    {
        var yaml = ValidYaml
            .Replace("backbone: mini", "backbone: resnet")
            .Replace("\"{c}.\"]", "\"c.\"]")
            .Replace("      steps: 30", "      steps: 2")
            + "  crop_scale: [1.0, 0.5]\n";

        AssertErrors(
            yaml,
            "4:11: backbone: unknown backbone 'resnet' (known: mini, ViT-B-32, ViT-B-16, ViT-L-14)",
            "21:37: templates.captions[1]: template has no '{c}' placeholder for the class name",
            "37:14: tasks[1].finetune.steps: must be greater than warmup_steps (2), got 2",
            "44:15: finetune.crop_scale: min 1 is larger than max 0.5");
    }

    [Fact]
    public void Broken_references_are_reported()
    {
        var yaml = ValidYaml
            .Replace("mnist:         { pretrain: 100", "mnist:         { pretrain: 0")
            .Replace("  - name: mnist_parity", "  - name: mnist")
            .Replace("    transform: invert", "    transform: blur")
            .Replace("    templates: digit", "    templates: digits")
            .Replace("    classes: [zero, one, two, three, four, five, six, seven, eight, nine]", "    classes: [zero, one, zero]");

        AssertErrors(
            yaml,
            "13:13: pretrain.sources[0]: source 'mnist' has no pretraining images (data.sources.mnist.pretrain is 0)",
            "27:14: tasks[0].classes: 3 classes, but source 'mnist' has 10 labels; add a label_map to relabel them",
            "27:26: tasks[0].classes[2]: duplicate class name 'zero'",
            "28:16: tasks[0].templates: unknown template set 'digits' (known: captions, digit)",
            "29:11: tasks[1].name: duplicate task name 'mnist' (also tasks[0])",
            "31:16: tasks[1].transform: unknown transform 'blur' (known: none, invert, rotate90, rotate180)");
    }

    [Fact]
    public void Shape_errors_are_reported_together()
    {
        var yaml = ValidYaml.Replace("seed: 7", "seed: -1").Replace("  batch: 16", "  batch: 0").Replace("name: fixture", "name: ../escape");

        AssertErrors(
            yaml,
            "2:7: name: must be a safe folder name (letters, digits, '_', '-', '.'; starting with a letter or digit; at most 64 characters); got '../escape'",
            "3:7: seed: must be >= 0, got -1",
            "41:10: finetune.batch: must be >= 1, got 0");
    }

    [Fact]
    public void Syntax_error_is_located()
    {
        AssertErrors(
            ValidYaml + "evaluate: { batch: [1\n",
            "45:1: evaluate.batch[0]: invalid YAML: While parsing a flow sequence, did not find expected ',' or ']'.");
    }

    [Fact]
    public void Unclosed_bracket_mid_document_is_located()
    {
        AssertErrors(
            With("  batch: 8", "  batch: [8"),
            "16:10: pretrain.batch: invalid YAML after this point; is a bracket, brace or quote left open?");
    }

    [Fact]
    public void Empty_file_is_rejected()
    {
        AssertErrors("# nothing\n", "1:1: (root): the file holds no YAML document");
    }

    [Fact]
    public void Missing_file_is_reported()
    {
        Assert.Throws<FileNotFoundException>(() => SpecLoader.Load("/nonexistent/spec.yaml", Context));
    }
}
