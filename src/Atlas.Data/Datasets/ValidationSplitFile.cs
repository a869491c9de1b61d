using System.Text.Json;
using Atlas.Store;

namespace Atlas.Data.Datasets;

/// <summary>
/// The index file a seeded random validation split is stored in beside the results, so a run's validation samples can
/// be checked and reused without recomputing the permutation. A small JSON object:
/// <code>
/// {"format": "atlas-validation-split/1", "dataset": "dtd", "n": 3760, "v": 376, "seed": 0, "validation": [180, 750, …]}
/// </code>
/// <c>dataset</c> is the spec spelling (<see cref="DatasetText.NameOf"/>), <c>n</c> the training split's size before
/// the cut, <c>v</c> the number of validation indices, <c>validation</c> the indices in permutation order. Written
/// atomically (temp file + rename); read back with every field checked.
/// </summary>
public static class ValidationSplitFile
{
    /// <summary>The <c>format</c> value of this version of the file.</summary>
    public const string Format = "atlas-validation-split/1";

    /// <summary>Writes <paramref name="split"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, ValidationSplitIndices split)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteString("dataset", DatasetText.NameOf(split.Dataset));
            json.WriteNumber("n", split.TrainCount);
            json.WriteNumber("v", split.ValidationCount);
            json.WriteNumber("seed", split.Seed);
            json.WriteStartArray("validation");
            foreach (int index in split.ValidationIndices)
            {
                json.WriteNumberValue(index);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        AtomicFile.WriteAllBytes(path, buffer.ToArray());
    }

    /// <summary>Reads a file <see cref="Write"/> wrote; a missing or malformed field throws an <see cref="InvalidDataException"/> naming the file and the field.</summary>
    public static ValidationSplitIndices Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Validation split file not found: {path}", path);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad(path, "(root)", "expected a JSON object");
            }
            string format = Field(path, root, "format", JsonValueKind.String).GetString()!;
            if (format != Format)
            {
                throw Bad(path, "format", $"expected \"{Format}\", got \"{format}\"");
            }
            string name = Field(path, root, "dataset", JsonValueKind.String).GetString()!;
            PaperDataset dataset = Enum.GetValues<PaperDataset>().FirstOrDefault(d => DatasetText.NameOf(d) == name, (PaperDataset)(-1));
            if (!Enum.IsDefined(dataset))
            {
                throw Bad(path, "dataset", $"unknown dataset \"{name}\"");
            }
            int n = Int(path, root, "n");
            int v = Int(path, root, "v");
            if (!Field(path, root, "seed", JsonValueKind.Number).TryGetInt64(out long seed))
            {
                throw Bad(path, "seed", "expected an integer");
            }
            JsonElement array = Field(path, root, "validation", JsonValueKind.Array);
            var indices = new List<int>(array.GetArrayLength());
            var seen = new HashSet<int>();
            foreach (JsonElement item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int index) || index < 0 || index >= n)
                {
                    throw Bad(path, $"validation[{indices.Count}]", $"expected an index in [0, {n}), got {item.GetRawText()}");
                }
                if (!seen.Add(index))
                {
                    throw Bad(path, $"validation[{indices.Count}]", $"index {index} appears twice");
                }
                indices.Add(index);
            }
            if (indices.Count != v)
            {
                throw Bad(path, "validation", $"holds {indices.Count} indices but v is {v}");
            }
            return new ValidationSplitIndices(dataset, n, seed, indices);
        }
    }

    private static JsonElement Field(string path, JsonElement root, string name, JsonValueKind kind)
    {
        if (!root.TryGetProperty(name, out JsonElement value))
        {
            throw Bad(path, name, "missing");
        }
        if (value.ValueKind != kind)
        {
            throw Bad(path, name, $"expected a {kind.ToString().ToLowerInvariant()}, got {value.ValueKind.ToString().ToLowerInvariant()}");
        }
        return value;
    }

    private static int Int(string path, JsonElement root, string name)
    {
        if (!Field(path, root, name, JsonValueKind.Number).TryGetInt32(out int value) || value < 0)
        {
            throw Bad(path, name, "expected a non-negative integer");
        }
        return value;
    }

    private static InvalidDataException Bad(string path, string field, string problem) =>
        new($"{path}: field '{field}': {problem}.");
}
