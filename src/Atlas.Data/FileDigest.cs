namespace Atlas.Data;

/// <summary>A file named by its path (relative to a package or data root), with its SHA-256 and size.</summary>
/// <param name="Path">Path relative to the package root (origin files) or to the data root (committed files), '/'-separated.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's bytes.</param>
/// <param name="Bytes">Size of the file in bytes.</param>
public sealed record FileDigest(string Path, string Sha256, long Bytes);
