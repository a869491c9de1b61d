using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace Atlas.Models;

/// <summary>
/// CLIP's text cleaning before pre-tokenization, as open_clip's <c>basic_clean</c> + <c>whitespace_clean</c> +
/// lower-casing and Hugging Face's fast CLIP tokenizer do it: HTML entities unescaped twice (open_clip), Unicode NFC
/// (Hugging Face; ftfy's default also ends in NFC), every whitespace run to one space, trimmed, lower-cased.
/// ftfy's mojibake repair has no .NET equivalent and is not done: text that ftfy would repair tokenizes differently.
/// </summary>
public sealed partial class ClipTextNormalizer : Normalizer
{
    public override string Normalize(string original)
    {
        var unescaped = WebUtility.HtmlDecode(WebUtility.HtmlDecode(original));
        var composed = unescaped.Normalize(NormalizationForm.FormC);
        return Whitespace().Replace(composed, " ").Trim().ToLowerInvariant();
    }

    public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
