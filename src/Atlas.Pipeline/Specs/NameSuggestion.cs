namespace Atlas.Pipeline.Specs;

/// <summary>Finds the name a user most likely meant, for "did you mean" hints.</summary>
public static class NameSuggestion
{
    /// <summary>
    /// The candidate within a small edit distance of <paramref name="typed"/>; failing that, one that abbreviates it or
    /// that it abbreviates (same first letter, letters in order: <c>learning_rate</c> → <c>lr</c>,
    /// <c>batch_size</c> → <c>batch</c>). Null when nothing is close.
    /// </summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        var names = candidates.ToList();
        var nearest = names
            .Select(name => (Name: name, Distance: EditDistance(typed, name)))
            .Where(c => c.Distance <= Math.Max(1, Math.Max(typed.Length, c.Name.Length) / 3))
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
        return nearest ?? names.FirstOrDefault(name => Abbreviates(name, typed) || Abbreviates(typed, name));
    }

    private static bool Abbreviates(string shortName, string longName)
    {
        if (shortName.Length == 0 || shortName.Length >= longName.Length || char.ToLowerInvariant(shortName[0]) != char.ToLowerInvariant(longName[0]))
            return false;
        int matched = 0;
        foreach (char c in longName)
            if (matched < shortName.Length && char.ToLowerInvariant(c) == char.ToLowerInvariant(shortName[matched])) matched++;
        return matched == shortName.Length;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
