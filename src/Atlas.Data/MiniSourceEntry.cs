namespace Atlas.Data;

/// <summary>One source of the committed mini data set, as recorded in <c>manifest.json</c>.</summary>
/// <param name="Name">Source name, one of <see cref="SourceCatalog.KnownSources"/>.</param>
/// <param name="Package">Registry package the images came from.</param>
/// <param name="DataLicence">Licence and authors of the images themselves.</param>
/// <param name="Origins">The package files read, with their digests.</param>
/// <param name="Selection">How the committed images were chosen.</param>
/// <param name="ClassNames">Class names indexed by label.</param>
/// <param name="Count">Number of images.</param>
/// <param name="ImageSide">Stored side length in pixels (images are square).</param>
/// <param name="PixelMax">Stored value that means full intensity (255, or 16 for optdigits).</param>
/// <param name="ContentSha256">
/// SHA-256 of the uncompressed images IDX bytes followed by the labels IDX bytes: it names the data itself, so it
/// does not change if a different zlib compresses the same images differently.
/// </param>
/// <param name="Images">Committed gzipped IDX file of images, relative to the data root.</param>
/// <param name="Labels">Committed gzipped IDX file of labels, relative to the data root.</param>
public sealed record MiniSourceEntry(
    string Name,
    PackageProvenance Package,
    string DataLicence,
    IReadOnlyList<FileDigest> Origins,
    SubsetSelection Selection,
    IReadOnlyList<string> ClassNames,
    int Count,
    int ImageSide,
    int PixelMax,
    string ContentSha256,
    FileDigest Images,
    FileDigest Labels);
