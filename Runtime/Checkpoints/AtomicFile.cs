namespace Differentiable.Checkpoints;

/// <summary>
/// Replaces a file all at once: readers (and a process that crashes mid-save) see either the old file or the complete
/// new one, never a half-written checkpoint that would fail to load — or, worse, load garbage.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var fullPath = Target(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        RemoveStaleTemporaries(fullPath);

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

    /// <summary>
    /// The file a save to <paramref name="path"/> replaces: the path itself, or the file its symbolic link finally
    /// names (the link stays a link). Refused with a <see cref="CheckpointException"/> before anything is written: a
    /// directory, a missing directory, a device or pipe (which a rename would replace with a regular file), a
    /// directory this process cannot write in.
    /// </summary>
    public static string Target(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        if (new FileInfo(fullPath).LinkTarget is not null && File.ResolveLinkTarget(fullPath, returnFinalTarget: true) is { } target)
            fullPath = target.FullName;
        if (Directory.Exists(fullPath))
            throw new CheckpointException(path, "is a directory; give the name of a file to write");
        var directory = Path.GetDirectoryName(fullPath)
            ?? throw new CheckpointException(path, "names a root directory, not a file");
        if (!Directory.Exists(directory))
            throw new CheckpointException(path, $"the directory {directory} does not exist; create it first");
        if (File.Exists(fullPath) && FileKind.IsRegularFile(fullPath) == false)
            throw new CheckpointException(path, "is not a regular file (a device or a pipe); a checkpoint is written to a new file and renamed over it, which would replace it");
        var probe = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.probe");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, $"cannot write in {directory} ({e.Message})", inner: e);
        }
        return fullPath;
    }

    /// <summary>
    /// Deletes temporary files that saves to the same target left behind when their process was killed (a kill -9
    /// cannot run the cleanup below). Only ones at least <see cref="StaleAfter"/> old: a concurrent save may be writing
    /// a younger one.
    /// </summary>
    private static void RemoveStaleTemporaries(string fullPath)
    {
        var directory = Path.GetDirectoryName(fullPath)!;
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory, $".{Path.GetFileName(fullPath)}.*.tmp"))
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(file) >= StaleAfter) TryDelete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>How old a temporary file must be before a later save deletes it.</summary>
    internal static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

    private static void TryDelete(string path)
    {
        // Best effort: the original exception is the one worth reporting.
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
