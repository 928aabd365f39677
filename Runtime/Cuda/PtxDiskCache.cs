using Differentiable.Checkpoints;

namespace Differentiable.Cuda;

/// <summary>
/// Compiled PTX kept between runs, one file per cache key (a SHA-256 that covers everything that affects the PTX), so
/// a second run of the same model compiles nothing. The cache only ever speeds things up: a file it cannot read is a
/// miss, and a directory it cannot write is ignored. It never returns PTX its file's header does not vouch for
/// (<see cref="PtxCacheFile"/>): a damaged, truncated or misplaced file is a miss and is deleted, so the next write
/// replaces it instead of the same bad file failing every run.
/// </summary>
internal sealed class PtxDiskCache(string directory)
{
    public const string DirectoryVariable = "DIFFERENTIABLE_KERNEL_CACHE";

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary><c>$DIFFERENTIABLE_KERNEL_CACHE</c>, else <c>$XDG_CACHE_HOME/differentiable/kernels</c>, else <c>~/.cache/differentiable/kernels</c>.</summary>
    public static string DefaultDirectory()
    {
        var configured = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(cacheHome))
            cacheHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cacheHome, "differentiable", "kernels");
    }

    /// <summary>
    /// The PTX stored under <paramref name="key"/>. False with a null <paramref name="problem"/> when there is none (or
    /// it cannot be read); false with the <paramref name="problem"/> ("is truncated: ...") when there was a file but its
    /// header rejected it, in which case the file has been deleted.
    /// </summary>
    public bool TryRead(string key, out string ptx, out string? problem)
    {
        ptx = "";
        problem = null;
        byte[] file;
        try
        {
            file = File.ReadAllBytes(PathOf(key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        if (PtxCacheFile.TryDecode(key, file, out ptx, out var why)) return true;
        problem = why;
        Evict(key);
        return false;
    }

    /// <summary>Deletes the entry of <paramref name="key"/>, if any; best effort, like every cache operation.</summary>
    public void Evict(string key)
    {
        try
        {
            File.Delete(PathOf(key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file we cannot delete is rejected again on the next read and replaced by the next write if it can be.
        }
    }

    public void Write(string key, string ptx)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            // Atomic (temp file + rename): two processes compiling the same kernel, or a crash mid-write, never leave a
            // truncated file (the header would catch one, but at the cost of a recompile and a warning).
            AtomicFile.Write(PathOf(key), stream => stream.Write(PtxCacheFile.Encode(key, ptx)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or full disk costs a recompile next run, nothing more.
        }
    }

    public string PathOf(string key) => Path.Combine(Directory, key + ".ptx");
}
