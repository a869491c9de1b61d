namespace Atlas.Data.Images;

/// <summary>
/// Turns one decoded image into the model's input: a normalised float32 [3, S, S] block. Implementations are
/// stateless, so decoding threads share one instance; randomness comes only from the per-sample source passed in.
/// </summary>
public interface IImageTransform
{
    /// <summary>S, the side of the square output.</summary>
    int OutputSize { get; }

    /// <summary>
    /// Writes the transformed <paramref name="image"/> into <paramref name="destination"/> (3 × S × S values,
    /// channel-major). Deterministic transforms ignore <paramref name="random"/>.
    /// </summary>
    void Apply(RgbImage image, IAugmentationRandom random, Span<float> destination);
}
