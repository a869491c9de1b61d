using static TorchSharp.torch;

namespace Atlas.Data;

/// <summary>The images and labels of one task partition, ready for a model. Owns both tensors.</summary>
public sealed class TaskView : IDisposable
{
    /// <summary>Wraps <paramref name="images"/> [n, 1, 28, 28] and int64 <paramref name="labels"/> [n].</summary>
    public TaskView(Tensor images, Tensor labels)
    {
        if (labels.ndim != 1 || images.ndim != 4 || images.shape[0] != labels.shape[0] || labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException(
                $"A task view needs images [n, C, H, W] and int64 labels [n]; got images [{string.Join(", ", images.shape)}], " +
                $"labels {labels.dtype} [{string.Join(", ", labels.shape)}].");
        }
        Images = images;
        Labels = labels;
    }

    /// <summary>Images, float32 [n, 1, 28, 28].</summary>
    public Tensor Images { get; }

    /// <summary>Task class of each image, int64 [n].</summary>
    public Tensor Labels { get; }

    /// <summary>Number of images.</summary>
    public int Count => (int)Labels.shape[0];

    /// <inheritdoc />
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
