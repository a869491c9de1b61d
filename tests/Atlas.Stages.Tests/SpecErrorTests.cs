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
