using Differentiable.Cuda.Native;

namespace Differentiable.Cuda;

/// <summary>
/// Whether NVRTC can be loaded here, and which version it is. Probed once: loading is the expensive part, and the
/// answer cannot change while the process runs.
/// </summary>
internal static class NvrtcLibrary
{
    private static readonly Lazy<Probe> State = new(ProbeOnce);

    public static bool IsAvailable => State.Value.Failure is null;

    /// <summary>Why NVRTC cannot be used, with what to do about it; null when it can.</summary>
    public static string? UnavailableReason => State.Value.Failure;

    /// <summary>"11.8": part of the cache key, because another NVRTC may emit different PTX for the same source.</summary>
    public static string Version => State.Value.Version ?? throw Unavailable();

    /// <summary>The file it was loaded from (libnvrtc.so.12), for messages.</summary>
    public static string File => State.Value.File ?? throw Unavailable();

    public static void EnsureAvailable()
    {
        if (!IsAvailable) throw Unavailable();
    }

    private static CudaException Unavailable() => new(UnavailableReason!);

    private sealed record Probe(string? Version, string? File, string? Failure);

    private static Probe ProbeOnce()
    {
        var library = NativeLibraries.LoadNvrtc();
        if (!library.IsLoaded)
            return new Probe(null, null,
                $"NVRTC (the CUDA runtime compiler) is not installed: {library.Failure}. On Debian: add the non-free " +
                "component and apt-get install libnvrtc11.2 libnvrtc-builtins11.8 (.ci/run does this); or run with --device cpu.");
        try
        {
            var result = Nvrtc.nvrtcVersion(out var major, out var minor);
            return result == NvrtcResult.Success
                ? new Probe($"{major}.{minor}", library.File, null)
                : new Probe(null, null, $"{library.File} loaded but nvrtcVersion failed ({result}).");
        }
        catch (EntryPointNotFoundException e)
        {
            // Something named libnvrtc that is not NVRTC: say so instead of failing on the first compile.
            return new Probe(null, null, $"{library.File} loaded but is not a usable NVRTC: {e.Message}");
        }
    }
}
