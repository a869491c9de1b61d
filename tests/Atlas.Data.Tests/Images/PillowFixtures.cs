using System.Text.Json;
using Atlas.Data.Images;

namespace Atlas.Data.Tests.Images;

/// <summary>
/// The Pillow 9.4 reference values under Fixtures/pillow (made by make_fixtures.py there): encoded inputs, and the
/// expected outputs as raw little-endian arrays listed in manifest.json.
/// </summary>
internal static class PillowFixtures
{
    public static string Folder { get; } = Path.Combine(RepositoryRoot.Path, "tests", "Atlas.Data.Tests", "Fixtures", "pillow");

    public static JsonElement Manifest { get; } = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json"))).RootElement;

    public static string Input(string name) => Path.Combine(Folder, "inputs", name);

    public static byte[] ExpectedBytes(string name) => File.ReadAllBytes(Path.Combine(Folder, "expected", name));

    public static float[] ExpectedFloats(string name)
    {
        byte[] bytes = ExpectedBytes(name);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    public static double[] Mean => Manifest.GetProperty("mean").EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static double[] Std => Manifest.GetProperty("std").EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static IEnumerable<JsonElement> Cases(string kind) => Manifest.GetProperty(kind).EnumerateArray();

    /// <summary>Largest absolute difference between two byte arrays of equal length, as an integer on 0–255.</summary>
    public static int MaxAbsDifference(byte[] actual, byte[] expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        int max = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
        }
        return max;
    }

    /// <summary>The Pillow-decoded (<c>convert("RGB")</c>) pixels of an input, read from the expected decode output.</summary>
    public static RgbImage PillowDecoded(string input)
    {
        JsonElement entry = Cases("decode").Single(c => c.GetProperty("input").GetString() == input);
        return new RgbImage(entry.GetProperty("width").GetInt32(), entry.GetProperty("height").GetInt32(),
            ExpectedBytes(entry.GetProperty("expected").GetString()!));
    }
}
