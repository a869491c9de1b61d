namespace Atlas.Pipeline.Provenance;

/// <summary>An artifact a stage produced.</summary>
/// <param name="Sha256">Content hash (for a folder, <see cref="Store.ContentHash.OfDirectory"/>).</param>
/// <param name="Size">Bytes (for a folder, the sum over its files).</param>
public sealed record OutputRecord(string Sha256, long Size);
