using System.Security.Cryptography;

namespace Atlas.Data;

/// <summary>Lower-case hex SHA-256, the digest format used throughout manifests and artifact hashes.</summary>
internal static class Sha256
{
    public static string Hex(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static string Hex(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(first);
        hash.AppendData(second);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
