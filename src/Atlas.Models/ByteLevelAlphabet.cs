namespace Atlas.Models;

/// <summary>
/// GPT-2's byte-to-unicode table, which CLIP's BPE symbols are spelt in: printable Latin-1 bytes ('!'..'~',
/// '¡'..'¬', '®'..'ÿ') stand for themselves, every other byte b for the character 256 + n (n counting those bytes in
/// order). open_clip derives its vocabulary's first 256 ids from this order, so it fixes CLIP's ids ("a" = 64).
/// </summary>
public static class ByteLevelAlphabet
{
    /// <summary>The symbols in the table's order (printable bytes first, then the remapped ones).</summary>
    public static IReadOnlyList<string> Symbols { get; } = Build();

    private static string[] Build()
    {
        var printable = Enumerable.Range('!', '~' - '!' + 1)
            .Concat(Enumerable.Range('¡', '¬' - '¡' + 1))
            .Concat(Enumerable.Range('®', 'ÿ' - '®' + 1))
            .ToArray();
        var isPrintable = new HashSet<int>(printable);
        var remapped = Enumerable.Range(0, 256).Where(b => !isPrintable.Contains(b)).Select((b, n) => 256 + n);
        return printable.Concat(remapped).Select(code => ((char)code).ToString()).ToArray();
    }
}
