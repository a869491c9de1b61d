using static TorchSharp.torch;

namespace Atlas.Data.Images;

/// <summary>
/// One batch from <see cref="ImageBatchLoader"/>: <see cref="Pixels"/> float32 [B, 3, S, S], <see cref="Labels"/>
/// int64 [B], and which dataset samples they are. The consumer owns the tensors and disposes the batch.
/// </summary>
public sealed class ImageBatch(Tensor pixels, Tensor labels, IReadOnlyList<int> sampleIndices) : IDisposable
{
    /// <summary>Transformed images, float32 [B, 3, S, S].</summary>
    public Tensor Pixels { get; } = pixels;

    /// <summary>Class labels, int64 [B].</summary>
    public Tensor Labels { get; } = labels;

    /// <summary>Dataset indices of the B samples, in batch order.</summary>
    public IReadOnlyList<int> SampleIndices { get; } = sampleIndices;

    /// <inheritdoc/>
    public void Dispose()
    {
        Pixels.Dispose();
        Labels.Dispose();
    }
}
