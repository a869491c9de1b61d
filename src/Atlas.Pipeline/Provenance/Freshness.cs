namespace Atlas.Pipeline.Provenance;

/// <summary>Whether a stage's recorded run still holds, and if not, why.</summary>
public sealed class Freshness
{
    private Freshness(IReadOnlyList<string> reasons) => Reasons = reasons;

    /// <summary>Nothing to do.</summary>
    public static Freshness UpToDate { get; } = new([]);

    /// <summary>Whether the stage can be skipped (there are no reasons to run it).</summary>
    public bool IsUpToDate => Reasons.Count == 0;

    /// <summary>Human-readable reasons to run again, e.g. <c>parameter 'finetune.lr' changed 0.001 → 0.002</c>.</summary>
    public IReadOnlyList<string> Reasons { get; }

    /// <exception cref="ArgumentException">No reason was given.</exception>
    public static Freshness Stale(params IEnumerable<string> reasons)
    {
        var list = reasons.ToList();
        if (list.Count == 0) throw new ArgumentException("a stale stage needs a reason", nameof(reasons));
        return new Freshness(list);
    }

    /// <summary><c>up to date</c>, or the reasons joined by <c>; </c>.</summary>
    public override string ToString() => IsUpToDate ? "up to date" : string.Join("; ", Reasons);
}
