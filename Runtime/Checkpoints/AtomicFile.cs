namespace Differentiable.Checkpoints;

/// <summary>
/// Replaces a file all at once: readers (and a process that crashes mid-save) see either the old file or the complete
/// new one, never a half-written checkpoint that would fail to load — or, worse, load garbage.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)
            ?? throw new ArgumentException($"'{path}' names a root directory, not a file.", nameof(path));

        // Same directory as the target: a rename is only atomic within one file system. The name starts with a dot
        // and is unique so that concurrent saves to the same path never write into each other's temp file.
        var tempPath = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                // Without this the rename can reach the disk before the data does, and a power loss would leave a
                // complete-looking file full of zeros.
                stream.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        // Best effort: the original exception is the one worth reporting.
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
