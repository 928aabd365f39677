using System.Reflection;
using System.Runtime.InteropServices;

namespace Differentiable.Cuda.Native;

/// <summary>
/// Finds the CUDA driver and NVRTC for the <c>[LibraryImport]</c>s of this assembly. The imports name logical
/// libraries (<see cref="CudaDriverName"/>, <see cref="NvrtcName"/>); this is the assembly's one
/// <see cref="NativeLibrary.SetDllImportResolver"/>, because .NET allows only one per assembly: a future native import
/// adds its name here instead of registering a second resolver (which would throw).
/// </summary>
internal static class NativeLibraries
{
    public const string CudaDriverName = "cuda";
    public const string NvrtcName = "nvrtc";

    /// <summary>The driver's soname: installed with the NVIDIA driver, never shipped with the CUDA toolkit.</summary>
    public static readonly IReadOnlyList<string> CudaDriverFiles = ["libcuda.so.1"];

    /// <summary>Newest first: any of them compiles our kernels, and a newer one knows newer GPUs.</summary>
    public static readonly IReadOnlyList<string> NvrtcFiles = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"];

    private static readonly Lazy<LoadedLibrary> CudaDriver = new(() => Load(CudaDriverFiles, []));
    private static readonly Lazy<LoadedLibrary> Nvrtc = new(() => Load(NvrtcFiles, ToolkitLibraryDirectories()));
    private static int _resolverRegistered;

    /// <summary>Called from the static constructors of the binding classes, so it runs before any native call.</summary>
    public static void RegisterResolver()
    {
        if (Interlocked.Exchange(ref _resolverRegistered, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
    }

    /// <summary>The driver library, loaded once; <c>Handle == 0</c> with <c>Failure</c> saying what was tried.</summary>
    public static LoadedLibrary LoadCudaDriver() => CudaDriver.Value;

    /// <summary>NVRTC, loaded once; <c>Handle == 0</c> with <c>Failure</c> saying what was tried.</summary>
    public static LoadedLibrary LoadNvrtc() => Nvrtc.Value;

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        CudaDriverName => CudaDriver.Value.Handle,
        NvrtcName => Nvrtc.Value.Handle,
        // Zero hands every other name back to the runtime's default probing.
        _ => IntPtr.Zero,
    };

    private static LoadedLibrary Load(IReadOnlyList<string> fileNames, IReadOnlyList<string> extraDirectories)
    {
        // Plain names first: dlopen then searches LD_LIBRARY_PATH and the ld.so cache, as a user configured them.
        foreach (var fileName in fileNames)
            if (NativeLibrary.TryLoad(fileName, out var handle))
                return new LoadedLibrary(handle, fileName, null);
        foreach (var directory in extraDirectories)
            foreach (var fileName in fileNames)
            {
                var path = Path.Combine(directory, fileName);
                if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle))
                    return new LoadedLibrary(handle, path, null);
            }
        var tried = string.Join(", ", fileNames);
        var where = extraDirectories.Count == 0 ? "" : $" on the loader path or in {string.Join(", ", extraDirectories)}";
        return new LoadedLibrary(IntPtr.Zero, null, $"none of {tried} could be loaded{where}");
    }

    /// <summary>A CUDA toolkit installed under /usr/local/cuda is often not on the loader path.</summary>
    private static IReadOnlyList<string> ToolkitLibraryDirectories()
    {
        var roots = new[] { Environment.GetEnvironmentVariable("CUDA_HOME"), Environment.GetEnvironmentVariable("CUDA_PATH"), "/usr/local/cuda" };
        return roots.Where(root => !string.IsNullOrEmpty(root)).Select(root => Path.Combine(root!, "lib64")).Distinct().ToArray();
    }
}

/// <summary>A native library that was loaded (<see cref="Handle"/> ≠ 0, from <see cref="File"/>) or why it was not.</summary>
internal sealed record LoadedLibrary(IntPtr Handle, string? File, string? Failure)
{
    public bool IsLoaded => Handle != IntPtr.Zero;
}
