using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Atlas.Store;

namespace Atlas.Data;

/// <summary>The <c>manifest.json</c> of a mini data root: provenance and checksums of every committed file.</summary>
/// <param name="FormatVersion">Layout version of this manifest.</param>
/// <param name="Sources">One entry per source, in <see cref="SourceCatalog.KnownSources"/> order.</param>
public sealed record MiniDataManifest(int FormatVersion, IReadOnlyList<MiniSourceEntry> Sources)
{
    /// <summary>File name of the manifest inside a data root.</summary>
    public const string FileName = "manifest.json";

    /// <summary>The layout version this code reads and writes.</summary>
    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NewLine = "\n",
        // A file for people to read, never embedded in HTML: keep "×", "…" and quotes as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Reads the manifest of <paramref name="dataRoot"/>.</summary>
    /// <exception cref="FileNotFoundException">The data root has no manifest.</exception>
    /// <exception cref="InvalidDataException">The manifest is not valid JSON of the expected layout.</exception>
    public static MiniDataManifest Load(string dataRoot)
    {
        string path = Path.Combine(dataRoot, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{path}: mini data manifest not found; regenerate with build/data/regenerate-mini-data.sh.", path);
        }
        MiniDataManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<MiniDataManifest>(File.ReadAllBytes(path), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid mini data manifest ({e.Message}).", e);
        }
        if (manifest is null || manifest.Sources is null)
        {
            throw new InvalidDataException($"{path}: not a valid mini data manifest (no \"sources\").");
        }
        if (manifest.FormatVersion != CurrentFormatVersion)
        {
            throw new InvalidDataException(
                $"{path}: manifest format version {manifest.FormatVersion}, this code reads version {CurrentFormatVersion}.");
        }
        return manifest;
    }

    /// <summary>Writes this manifest as <c>manifest.json</c> in <paramref name="dataRoot"/>, atomically.</summary>
    public void Save(string dataRoot) =>
        AtomicFile.WriteAllBytes(Path.Combine(dataRoot, FileName), Encoding.UTF8.GetBytes(ToJson() + "\n"));

    /// <summary>The manifest as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
