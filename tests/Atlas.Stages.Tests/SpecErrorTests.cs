using Atlas.Pipeline.Specs;
using Atlas.Stages.Tests.Support;

namespace Atlas.Stages.Tests;

/// <summary>A bad spec is refused when the session opens, with file:line:column and the field path, before anything is written.</summary>
public sealed class SpecErrorTests
{
    public static TheoryData<string, string, string, string, string> BadSpecs => new()
    {
        // kind, original text, replacement, field path, the token the error points at
        { "typo'd key", "  grad_clip: 1.0", "  grad_clipp: 1.0", "finetune.grad_clipp", "grad_clipp" },
        { "wrong type", "evaluate:\n  batch: 64", "evaluate:\n  batch: sixty-four", "evaluate.batch", "sixty-four" },
        { "unknown dataset", "    source: fashion_mnist", "    source: kmnist", "tasks[2].source", "kmnist" },
        // This build references libtorch-cpu: the session's real torch.cuda.is_available() says false.
        { "cuda without a CUDA build", "backbone: mini\n", "backbone: mini\ndevice: cuda\n", "device", "cuda" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public void Open_throws_with_location_and_field_path_and_writes_nothing(string kind, string original, string replacement, string field, string token)
    {
        string text = MicroSpec.With(original, replacement);
        using var repository = new TempRepository(text);

        var error = Assert.Throws<SpecException>(() => repository.Open().Dispose());

        var (line, column) = Locate(text, token);
        Assert.True(error.Message.Contains($"{repository.SpecPath}:{line}:{column}: {field}:", StringComparison.Ordinal),
            $"{kind}: expected {repository.SpecPath}:{line}:{column}: {field}: in{Environment.NewLine}{error.Message}");
        Assert.Single(error.Errors);
        Assert.Equal([repository.SpecPath], Directory.GetFileSystemEntries(repository.Root));
    }

    [Fact]
    public void The_unchanged_micro_spec_opens()
    {
        using var repository = new TempRepository();
        using var session = repository.Open();
        Assert.Equal(MicroSpec.Tasks, session.Context.Spec.Tasks.Select(t => t.Name));
        Assert.Equal([repository.SpecPath], Directory.GetFileSystemEntries(repository.Root));
    }

    // Sizes the data cannot supply are spec errors too, located at their field; they used to surface from inside the
    // data, few-shot, selection, addition or test-time stage. The numbers in the messages were computed independently of
    // the code (a Python largest-remainder apportionment of the manifest's per-class counts in the documented draw order,
    // test, val, train, pretrain): the micro's fashion_mnist train split holds [6, 6, 6, 6, 7, 7, 7, 7, 6, 6] images per
    // label, so fashion_coarse's classes hold [32, 6, 20, 6]; mnist's train split gives mnist_parity [31, 33] and its
    // test split [15, 17].
    public static TheoryData<string, string, string, string, string> BadSizes => new()
    {
        // kind, original text, replacement, the token the error points at, the message after the field path
        {
            "a split larger than its source",
            "    mnist:         { pretrain: 64, train: 64, val: 32, test: 32 }", "    mnist:         { pretrain: 64, train: 9900, val: 32, test: 32 }",
            "{ pretrain: 64, train: 9900", "data.sources.mnist: the split asks for 64 + 9900 + 32 + 32 = 10028 images, but mnist has 10000"
        },
        {
            "more few-shot shots than a class has training images",
            "  shots: [1, 2]", "  shots: [1, 7]",
            "7]", "few_shot.shots[1]: 7 shots per class, but target 'fashion_coarse' has 6 training image(s) of class 'trouser' in its train split (data.sources.fashion_mnist.train); use at most 6 shots or a larger train split"
        },
        {
            "more block-selection shots than a class has training images",
            "  shots: 1\n  seeds: 2\n  budgets", "  shots: 32\n  seeds: 2\n  budgets",
            "32\n  seeds: 2\n  budgets", "block_selection.shots: 32 shots per class, but target 'mnist_parity' has 31 training image(s) of class 'even' in its train split (data.sources.mnist.train); use at most 31 shots or a larger train split"
        },
        {
            "an AdaMerging batch larger than a test split",
            "  adamerging: { steps: 3, batch: 8 }", "  adamerging: { steps: 3, batch: 40 }",
            "40 }", "addition.adamerging.batch: a batch of 40 distinct test images, but task 'mnist' has 32 in its test split"
        },
        {
            "a UFM trusted set with no image per class",
            "  learn: { lr: 0.01, epochs: 2, batch: 8, schedule: cosine, crop_scale: [0.5, 1.0] }\n\nblock_selection",
            "  learn: { lr: 0.01, epochs: 2, batch: 8, schedule: cosine, crop_scale: [0.5, 1.0] }\n  ufm: { trusted_divisor: 20 }\n\nblock_selection",
            "20 }", "test_time.ufm.trusted_divisor: target 'mnist_parity' has 32 test images over 2 classes: ⌊32 / 2 / 20⌋ = 0 trusted images per class; lower the divisor or enlarge the test split"
        },
        {
            // k = ⌊32 / 2 / 10⌋ = 1 trusted image per class leaves 32 − 2 = 30; a batch of 32 with a share of 0.05 holds
            // ⌊1.6⌋ = 1 trusted and 31 unlabelled images, so no UFM step fits in an epoch (at 0.25 it would hold 24).
            "a UFM batch whose unlabelled part the test split cannot fill",
            "  learn: { lr: 0.01, epochs: 2, batch: 8, schedule: cosine, crop_scale: [0.5, 1.0] }\n\nblock_selection",
            "  learn: { lr: 0.01, epochs: 2, batch: 32, schedule: cosine, crop_scale: [0.5, 1.0] }\n  ufm: { trusted_share: 0.05 }\n\nblock_selection",
            "32, schedule: cosine, crop_scale: [0.5, 1.0] }\n  ufm", "test_time.learn.batch: a UFM batch holds 31 unlabelled images (32 less 1 trusted), but target 'mnist_parity' has 32 test images less 2·1 trusted ones = 30; lower the batch or enlarge the test split"
        },
    };

    [Theory]
    [MemberData(nameof(BadSizes))]
    public void A_size_the_data_cannot_supply_is_located_before_anything_runs(string kind, string original, string replacement, string token, string message)
    {
        string text = MicroSpec.With(original, replacement);
        using var repository = new TempRepository(text);

        var error = Assert.Throws<SpecException>(() => repository.Open().Dispose());

        var (line, column) = Locate(text, token);
        Assert.True(error.Message.StartsWith($"{repository.SpecPath}:{line}:{column}: {message}", StringComparison.Ordinal),
            $"{kind}: expected {repository.SpecPath}:{line}:{column}: {message}{Environment.NewLine}got {error.Message}");
        Assert.Single(error.Errors);
        Assert.Equal([repository.SpecPath], Directory.GetFileSystemEntries(repository.Root));
    }

    [Fact]
    public void A_UFM_batch_whose_unlabelled_part_the_test_split_just_fills_opens()
    {
        // The boundary of the case above: a batch of 31 at a share of 0.05 holds ⌊1.55⌋ = 1 trusted and 30 unlabelled
        // images, exactly the 32 − 2·1 = 30 left outside the trusted set: one step per epoch.
        string text = MicroSpec.With("  learn: { lr: 0.01, epochs: 2, batch: 8, schedule: cosine, crop_scale: [0.5, 1.0] }\n\nblock_selection",
            "  learn: { lr: 0.01, epochs: 2, batch: 31, schedule: cosine, crop_scale: [0.5, 1.0] }\n  ufm: { trusted_share: 0.05 }\n\nblock_selection");
        using var repository = new TempRepository(text);

        using var session = repository.Open();

        Assert.Equal(31, session.Context.Spec.TestTime!.Learn.Batch);
    }

    /// <summary>1-based line and column of the only occurrence of <paramref name="token"/>.</summary>
    private static (int Line, int Column) Locate(string text, string token)
    {
        int index = text.IndexOf(token, StringComparison.Ordinal);
        Assert.True(index >= 0 && text.IndexOf(token, index + 1, StringComparison.Ordinal) < 0, $"'{token}' must occur once");
        int line = text[..index].Count(c => c == '\n') + 1;
        int column = index - text.LastIndexOf('\n', Math.Max(index - 1, 0));
        return (line, column);
    }
}
