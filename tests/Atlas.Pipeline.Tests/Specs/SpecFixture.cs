using Atlas.Pipeline.Specs;

namespace Atlas.Pipeline.Tests.Specs;

/// <summary>The valid fixture spec, a context that knows its names, and a way to load edited copies of it.</summary>
internal static class SpecFixture
{
    public static SpecContext Context { get; } = new(
        new Dictionary<string, int> { ["mnist"] = 10, ["fashion_mnist"] = 10, ["optdigits"] = 10 },
        ["none", "invert", "rotate90", "rotate180"],
        ["mini", "ViT-B-32", "ViT-B-16", "ViT-L-14"]);

    public static string ValidYaml { get; } = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Specs", "valid.yaml"));

    /// <summary>The fixture with <paramref name="original"/> (which must occur exactly once) replaced.</summary>
    public static string With(string original, string replacement)
    {
        int first = ValidYaml.IndexOf(original, StringComparison.Ordinal);
        Assert.True(first >= 0 && ValidYaml.IndexOf(original, first + 1, StringComparison.Ordinal) < 0, $"'{original}' must occur once in the fixture");
        return ValidYaml.Replace(original, replacement);
    }

    /// <summary>
    /// Loads <paramref name="yaml"/> from a file and asserts it fails with exactly <paramref name="expected"/>, each
    /// written without the file name (<c>line:column: path: problem</c>).
    /// </summary>
    public static void AssertErrors(string yaml, params string[] expected) => AssertErrors(Context, yaml, expected);

    /// <inheritdoc cref="AssertErrors(string, string[])"/>
    public static void AssertErrors(SpecContext context, string yaml, params string[] expected)
    {
        using var folder = new TempDirectory();
        var file = folder.File("spec.yaml");
        File.WriteAllText(file, yaml);
        var exception = Assert.Throws<SpecException>(() => SpecLoader.Load(file, context));
        Assert.Equal(string.Join(Environment.NewLine, exception.Errors), exception.Message);
        var wanted = string.Join("\n", expected.Select(e => $"{file}:{e}"));
        var actual = string.Join("\n", exception.Errors);
        Assert.True(wanted == actual, $"expected:\n{wanted}\nactual:\n{actual}");
    }
}
