using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Data;

/// <summary>
/// Builds task views: a subset of a source, optionally transformed (a fixed, deterministic change of domain such as
/// inverted or rotated digits) and relabelled.
/// </summary>
public static class TaskViewBuilder
{
    /// <summary>Images unchanged.</summary>
    public const string None = "none";

    /// <summary>Intensities inverted: 1 − x.</summary>
    public const string Invert = "invert";

    /// <summary>Rotated 90° counter-clockwise (torch.rot90, k = 1, over height then width).</summary>
    public const string Rotate90 = "rotate90";

    /// <summary>Rotated 180°.</summary>
    public const string Rotate180 = "rotate180";

    /// <summary>Every transform name <see cref="Build"/> and <see cref="ApplyTransform"/> accept.</summary>
    public static IReadOnlyList<string> ValidTransforms { get; } = [None, Invert, Rotate90, Rotate180];

    /// <summary>
    /// Takes the images of <paramref name="source"/> at <paramref name="indices"/>, applies <paramref name="transform"/>
    /// and maps each label through <paramref name="labelMap"/> (source label → task class) when one is given.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown transform, an index out of range, or a label missing from the map.</exception>
    public static TaskView Build(ImageSource source, IReadOnlyList<int> indices, string transform, IReadOnlyDictionary<long, long>? labelMap = null)
    {
        RequireKnownTransform(transform);
        long[] positions = new long[indices.Count];
        long[] labels = new long[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            int index = indices[i];
            if (index < 0 || index >= source.Count)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(indices), $"Index {index} at position {i} is outside source '{source.Name}' (0..{source.Count - 1}).");
            }
            long sourceLabel = source.Labels[index];
            long taskLabel = sourceLabel;
            if (labelMap is not null && !labelMap.TryGetValue(sourceLabel, out taskLabel))
            {
                throw new ArgumentException(
                    $"Source '{source.Name}' label {sourceLabel} ({source.ClassNames[(int)sourceLabel]}, image {index}) has no entry in the label map.",
                    nameof(labelMap));
            }
            positions[i] = index;
            labels[i] = taskLabel;
        }

        using var scope = NewDisposeScope();
        Tensor selected = source.Images.index_select(0, tensor(positions, device: source.Images.device));
        Tensor images = ApplyTransform(selected, transform).MoveToOuterDisposeScope();
        Tensor labelTensor = tensor(labels, device: source.Images.device).MoveToOuterDisposeScope();
        return new TaskView(images, labelTensor);
    }

    private static Tensor Inverted(Tensor images)
    {
        using Scalar one = 1.ToScalar();
        return one - images;
    }

    /// <summary>Applies <paramref name="transform"/> to images [B, C, H, W]; returns a new tensor.</summary>
    /// <exception cref="ArgumentException">The transform is not one of <see cref="ValidTransforms"/>.</exception>
    public static Tensor ApplyTransform(Tensor images, string transform)
    {
        RequireKnownTransform(transform);
        return transform switch
        {
            Invert => Inverted(images),
            Rotate90 => images.rot90(1, (2, 3)),
            Rotate180 => images.rot90(2, (2, 3)),
            _ => images.clone(),
        };
    }

    /// <summary>Throws unless <paramref name="transform"/> is one of <see cref="ValidTransforms"/>.</summary>
    public static void RequireKnownTransform(string transform)
    {
        if (!ValidTransforms.Contains(transform))
        {
            throw new ArgumentException(
                $"Unknown transform '{transform}'; valid transforms: {string.Join(", ", ValidTransforms)}.", nameof(transform));
        }
    }
}
