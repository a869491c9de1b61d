using System.IO.Compression;

namespace Atlas.Stages.Checkpoints;

/// <summary>
/// Recognises PyTorch's pickled <c>.pt</c>/<c>.bin</c> files without unpickling them (unpickling runs code from the
/// file): the zip format (an archive holding <c>&lt;name&gt;/data.pkl</c>) and the legacy format (a raw pickle stream,
/// protocol byte 0x80). <see cref="Refuse"/> names the file and prints the Python that converts it to safetensors.
/// </summary>
public static class PickleRefusal
{
    /// <summary>True when <paramref name="path"/> is a PyTorch pickle (zip with data.pkl, or a legacy pickle).</summary>
    public static bool IsPickled(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[4];
        int read = stream.Read(magic);
        if (read >= 2 && magic[0] == 0x80 && magic[1] is >= 2 and <= 5) return true; // PROTO opcode, protocols 2–5
        if (read < 4 || magic[0] != (byte)'P' || magic[1] != (byte)'K' || magic[2] != 3 || magic[3] != 4) return false;
        stream.Position = 0;
        try
        {
            // Reads only the zip's central directory: no entry is decompressed, nothing is unpickled.
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
            return zip.Entries.Any(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal));
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>The refusal: why, and the one-off conversion to run in a Python you trust with the file.</summary>
    public static InvalidDataException Refuse(string path) => new(
        $"{path}: a pickled PyTorch file (.pt/.bin); loading a pickle runs code from the file, so atlas refuses it. " +
        "Convert it once to safetensors in Python (torch and safetensors installed; run it from a checkout of the code " +
        "that saved it if the file pickles a whole model, e.g. the aTLAS authors' ImageEncoder checkpoints):\n" +
        ConversionRecipe(path));

    /// <summary>Python that loads the pickle (trusted files only), keeps the tensors, strips the aTLAS <c>model.</c> prefix and writes fp32 safetensors.</summary>
    public static string ConversionRecipe(string path)
    {
        string output = Path.ChangeExtension(Path.GetFileName(path), ".safetensors");
        return string.Join('\n',
            "    import torch",
            "    from safetensors.torch import save_file",
            $"    obj = torch.load(\"{Path.GetFileName(path)}\", map_location=\"cpu\", weights_only=False)  # runs the pickle: trusted files only",
            "    sd = obj.state_dict() if hasattr(obj, \"state_dict\") else obj  # whole pickled model -> its state dict",
            "    # the aTLAS authors' checkpoints are ImageEncoder objects whose keys start with 'model.': strip it",
            "    sd = {k.removeprefix(\"model.\"): v.detach().float().contiguous().clone() for k, v in sd.items() if torch.is_tensor(v)}",
            $"    save_file(sd, \"{output}\")",
            $"  then: atlas convert --in {output} --out <name>.safetensors");
    }
}
