using System.Text;
using Differentiable.Checkpoints;

namespace Differentiable.Cuda;

/// <summary>
/// Compiled PTX kept between runs, one file per cache key (a SHA-256 that covers everything that affects the PTX), so
/// a second run of the same model compiles nothing. The cache only ever speeds things up: a file it cannot read is a
/// miss, and a directory it cannot write is ignored.
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

    public bool TryRead(string key, out string ptx)
    {
        try
        {
            ptx = File.ReadAllText(PathOf(key), Encoding.UTF8);
            return ptx.Length > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ptx = "";
            return false;
        }
    }

    public void Write(string key, string ptx)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            // Atomic (temp file + rename): two processes compiling the same kernel, or a crash mid-write, never leave a
            // truncated PTX file that would later fail to load.
            AtomicFile.Write(PathOf(key), stream =>
            {
                var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(ptx);
                stream.Write(bytes);
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or full disk costs a recompile next run, nothing more.
        }
    }

    private string PathOf(string key) => Path.Combine(Directory, key + ".ptx");
}
