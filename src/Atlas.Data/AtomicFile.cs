namespace Atlas.Data;

/// <summary>Writes files through a temporary sibling and a rename, so readers never see a half-written file.</summary>
internal static class AtomicFile
{
    public static void WriteAllBytes(string path, byte[] content)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllBytes(temporary, content);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
