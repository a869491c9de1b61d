namespace Atlas.Data.Images;

/// <summary>
/// The source region Pillow's <c>resize(size, box=...)</c> maps onto the output, in pixel-edge coordinates (right and
/// bottom exclusive, fractions allowed). Single precision, because Pillow parses the box into C floats: a box edge
/// such as 0.1 is rounded to float exactly as Pillow rounds it.
/// </summary>
public readonly record struct ResampleBox(float Left, float Top, float Right, float Bottom)
{
    /// <summary>The whole of a <paramref name="width"/> × <paramref name="height"/> image.</summary>
    public static ResampleBox Whole(int width, int height) => new(0, 0, width, height);
}
