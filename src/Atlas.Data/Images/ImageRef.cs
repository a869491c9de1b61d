namespace Atlas.Data.Images;

/// <summary>
/// Where one sample's image comes from. Dataset readers list samples without decoding them (ImageNet has 1.28 M
/// files); the image pipeline decodes a reference when a batch needs it, on its decoding threads.
/// </summary>
public abstract record ImageRef;

/// <summary>An encoded image file (JPEG, PNG or PPM), decoded whole.</summary>
/// <param name="Path">Absolute path of the file.</param>
public sealed record ImageFile(string Path) : ImageRef;

/// <summary>
/// A rectangle of an encoded image file, for datasets whose samples are boxes (Pascal VOC's object crops). Bounds are
/// pixel edges as Pillow's <c>Image.crop((left, top, right, bottom))</c> takes them: right and bottom exclusive.
/// </summary>
public sealed record ImageFileCrop(string Path, int Left, int Top, int Right, int Bottom) : ImageRef;

/// <summary>An image already in memory, for datasets stored as arrays (CIFAR batches, SVHN and STL-10 arrays, MNIST IDX).</summary>
public sealed record InMemoryImage(RgbImage Image) : ImageRef;
