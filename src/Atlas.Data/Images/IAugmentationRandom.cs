namespace Atlas.Data.Images;

/// <summary>
/// The random draws an image augmentation makes, in the shape torchvision makes them: a uniform in [0, 1)
/// (<c>torch.rand</c>, and <c>uniform_(a, b)</c> as a + (b − a)·u) and a uniform integer (<c>torch.randint</c>).
/// One instance serves one sample, so results do not depend on which decoding thread handles it.
/// </summary>
public interface IAugmentationRandom
{
    /// <summary>A uniform double in [0, 1).</summary>
    double NextUnit();

    /// <summary>A uniform integer in [0, <paramref name="exclusiveMax"/>).</summary>
    int NextInt(int exclusiveMax);
}
