namespace Atlas.Data.Images;

/// <summary>Pixel-exact geometric operations on <see cref="RgbImage"/>: Pillow's <c>crop</c> and left-right mirror.</summary>
public static class ImageGeometry
{
    /// <summary>
    /// Pillow's <c>Image.crop((left, top, right, bottom))</c>: right and bottom exclusive; parts of the box outside the
    /// image are black, as Pillow fills them with zeros.
    /// </summary>
    /// <exception cref="ArgumentException">The box is empty (right ≤ left or bottom ≤ top).</exception>
    public static RgbImage Crop(RgbImage image, int left, int top, int right, int bottom)
    {
        if (right <= left || bottom <= top)
        {
            throw new ArgumentException($"crop box ({left}, {top}, {right}, {bottom}) is empty: right must exceed left and bottom must exceed top.");
        }
        int width = right - left;
        int height = bottom - top;
        byte[] pixels = new byte[checked(width * height * 3)];
        int fromX = Math.Max(left, 0);
        int toX = Math.Min(right, image.Width);
        if (toX > fromX)
        {
            int rowBytes = (toX - fromX) * 3;
            for (int y = Math.Max(top, 0); y < Math.Min(bottom, image.Height); y++)
            {
                Array.Copy(image.Pixels, (y * image.Width + fromX) * 3, pixels, ((y - top) * width + fromX - left) * 3, rowBytes);
            }
        }
        return new RgbImage(width, height, pixels);
    }

    /// <summary>The image mirrored left to right (Pillow's <c>FLIP_LEFT_RIGHT</c>, torchvision's <c>hflip</c>).</summary>
    public static RgbImage FlipHorizontal(RgbImage image)
    {
        byte[] pixels = new byte[image.Pixels.Length];
        int width = image.Width;
        for (int y = 0; y < image.Height; y++)
        {
            int row = y * width * 3;
            for (int x = 0; x < width; x++)
            {
                int from = row + x * 3;
                int to = row + (width - 1 - x) * 3;
                pixels[to] = image.Pixels[from];
                pixels[to + 1] = image.Pixels[from + 1];
                pixels[to + 2] = image.Pixels[from + 2];
            }
        }
        return new RgbImage(width, image.Height, pixels);
    }
}
