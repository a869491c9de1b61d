namespace Atlas.Models;

/// <summary>
/// Per-channel normalisation a backbone expects: inputs in [0, 1] are mapped to (x − Mean[c]) / Std[c]. Equality is
/// by value so configs compare as records should.
/// </summary>
public sealed record ImagePreprocess(IReadOnlyList<double> Mean, IReadOnlyList<double> Std)
{
    /// <summary>OpenAI CLIP's RGB statistics, used by every paper backbone.</summary>
    public static ImagePreprocess OpenAiClip { get; } = new(
        [0.48145466, 0.4578275, 0.40821073],
        [0.26862954, 0.26130258, 0.27577711]);

    /// <summary>Maps [0, 1] to [−1, 1] on <paramref name="channels"/> channels.</summary>
    public static ImagePreprocess Symmetric(int channels) =>
        new(Enumerable.Repeat(0.5, channels).ToArray(), Enumerable.Repeat(0.5, channels).ToArray());

    public bool Equals(ImagePreprocess? other) =>
        other is not null && Mean.SequenceEqual(other.Mean) && Std.SequenceEqual(other.Std);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var value in Mean.Concat(Std)) hash.Add(value);
        return hash.ToHashCode();
    }
}
