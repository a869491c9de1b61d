using System.Collections.ObjectModel;
using System.Text.Json.Serialization;

namespace Atlas.Data;

/// <summary>
/// A k-shot training set: positions into a task's train partition (indices into the label list the set was drawn
/// from), ascending, with the task label of each. Immutable and value-equal; serialises with System.Text.Json as
/// <c>{"Shots":…,"Seed":…,"Positions":[…],"Labels":[…]}</c> and reads back through the validating constructor.
/// </summary>
public sealed record FewShotSet
{
    /// <summary>
    /// Wraps a drawn set. <paramref name="positions"/> must be ascending and non-negative, with one label per position in
    /// <paramref name="labels"/>, and every label occurring exactly <paramref name="shots"/> times.
    /// </summary>
    [JsonConstructor]
    public FewShotSet(int shots, ulong seed, IReadOnlyList<int> positions, IReadOnlyList<long> labels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shots);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(labels);
        if (positions.Count != labels.Count)
        {
            throw new ArgumentException(
                $"A few-shot set needs one label per position; got {positions.Count} positions and {labels.Count} labels.", nameof(labels));
        }
        for (int i = 0; i < positions.Count; i++)
        {
            if (positions[i] < 0 || (i > 0 && positions[i] <= positions[i - 1]))
            {
                throw new ArgumentException(
                    $"A few-shot set holds ascending non-negative positions; entry {i} is {positions[i]}.", nameof(positions));
            }
        }
        var offClass = labels.GroupBy(label => label).FirstOrDefault(group => group.Count() != shots);
        if (offClass is not null)
        {
            throw new ArgumentException(
                $"A {shots}-shot set holds {shots} images of every class; class {offClass.Key} has {offClass.Count()}.", nameof(labels));
        }
        Shots = shots;
        Seed = seed;
        // Copies behind read-only wrappers: neither the caller's lists nor a cast of ours can change the set.
        Positions = Array.AsReadOnly(positions.ToArray());
        Labels = Array.AsReadOnly(labels.ToArray());
    }

    /// <summary>Images per class (k).</summary>
    public int Shots { get; }

    /// <summary>Seed the set was drawn with.</summary>
    public ulong Seed { get; }

    /// <summary>Ascending positions into the train partition's label list.</summary>
    public IReadOnlyList<int> Positions { get; }

    /// <summary>Task label of the image at the same index of <see cref="Positions"/>.</summary>
    public IReadOnlyList<long> Labels { get; }

    /// <summary>Number of classes (each contributes <see cref="Shots"/> positions).</summary>
    [JsonIgnore]
    public int ClassCount => Positions.Count / Shots;

    /// <summary>Equal when shots, seed, positions and labels are all equal (lists compared element by element).</summary>
    public bool Equals(FewShotSet? other) =>
        other is not null && Shots == other.Shots && Seed == other.Seed
        && Positions.SequenceEqual(other.Positions) && Labels.SequenceEqual(other.Labels);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Shots);
        hash.Add(Seed);
        foreach (int position in Positions)
        {
            hash.Add(position);
        }
        return hash.ToHashCode();
    }
}
