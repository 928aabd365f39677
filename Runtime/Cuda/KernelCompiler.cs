using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Differentiable.Cuda.Native;

namespace Differentiable.Cuda;

/// <summary>
/// Compiles CUDA C sources to PTX with NVRTC (no GPU needed) and caches the PTX in memory and on disk, keyed by a
/// SHA-256 of the source, the options, the architecture and the NVRTC version, so a second run compiles nothing.
/// </summary>
public sealed class KernelCompiler
{
    private static readonly Lazy<KernelCompiler> SharedInstance = new(() => new KernelCompiler());

    // NVRTC documents no thread-safety guarantee across all the versions we load; compiles are rare and cached, so
    // serializing them costs nothing that matters.
    private static readonly Lock NvrtcLock = new();

    private readonly ConcurrentDictionary<string, string> _memory = new(StringComparer.Ordinal);
    private readonly PtxDiskCache _disk;

    /// <param name="cacheDirectory">Where PTX files are kept; null for <see cref="DefaultCacheDirectory"/>.</param>
    public KernelCompiler(string? cacheDirectory = null) =>
        _disk = new PtxDiskCache(cacheDirectory ?? PtxDiskCache.DefaultDirectory());

    /// <summary>One compiler (and one in-memory cache) for the process, on the default cache directory.</summary>
    public static KernelCompiler Shared => SharedInstance.Value;

    /// <summary>
    /// <c>$DIFFERENTIABLE_KERNEL_CACHE</c> if set, else <c>$XDG_CACHE_HOME/differentiable/kernels</c>, else
    /// <c>~/.cache/differentiable/kernels</c>.
    /// </summary>
    public static string DefaultCacheDirectory => PtxDiskCache.DefaultDirectory();

    public string CacheDirectory => _disk.Directory;

    /// <summary>Whether NVRTC could be loaded on this machine (it needs no GPU).</summary>
    public static bool IsNvrtcAvailable => NvrtcLibrary.IsAvailable;

    /// <summary>Why NVRTC cannot be used here and what to install; null when it can.</summary>
    public static string? NvrtcUnavailableReason => NvrtcLibrary.UnavailableReason;

    /// <summary>"11.8 (libnvrtc.so.11.2)"; null when NVRTC is not available.</summary>
    public static string? NvrtcDescription => NvrtcLibrary.IsAvailable ? $"{NvrtcLibrary.Version} ({NvrtcLibrary.File})" : null;

    /// <summary>
    /// The NVRTC options for <paramref name="architecture"/>. No fast math: results must match the CPU path to 1e-4.
    /// </summary>
    public static IReadOnlyList<string> Options(string architecture) => [$"--gpu-architecture={architecture}", "-std=c++17"];

    /// <summary>The PTX of <paramref name="source"/>, compiled for a virtual architecture such as "compute_90".</summary>
    /// <exception cref="KernelCompilationException">NVRTC rejected the source; the message carries its log.</exception>
    /// <exception cref="CudaException">NVRTC is not installed.</exception>
    public string CompileToPtx(string source, string moduleName, string architecture) =>
        Compile(source, moduleName, architecture).Ptx;

    /// <summary>As <see cref="CompileToPtx"/>, and says whether the PTX came from a cache.</summary>
    public PtxCompilation Compile(string source, string moduleName, string architecture)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(moduleName);
        ArgumentException.ThrowIfNullOrWhiteSpace(architecture);
        NvrtcLibrary.EnsureAvailable();

        var options = Options(architecture);
        var key = CacheKey(source, options, architecture, NvrtcLibrary.Version);
        if (_memory.TryGetValue(key, out var cached)) return new PtxCompilation(cached, PtxOrigin.MemoryCache);
        if (_disk.TryRead(key, out var stored))
        {
            _memory[key] = stored;
            return new PtxCompilation(stored, PtxOrigin.DiskCache);
        }

        var ptx = RunNvrtc(source, moduleName, architecture, options);
        _memory[key] = ptx;
        _disk.Write(key, ptx);
        return new PtxCompilation(ptx, PtxOrigin.Compiled);
    }

    private static string CacheKey(string source, IReadOnlyList<string> options, string architecture, string nvrtcVersion)
    {
        // NUL separators: no two different (source, options, ...) tuples can concatenate to the same text.
        var text = string.Join('\0', [source, .. options, architecture, "nvrtc " + nvrtcVersion]);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static unsafe string RunNvrtc(string source, string moduleName, string architecture, IReadOnlyList<string> options)
    {
        lock (NvrtcLock)
        {
            CheckNvrtc(Nvrtc.nvrtcCreateProgram(out var program, source, moduleName + ".cu", 0, null, null), moduleName, architecture, "creating the program");
            var optionStrings = options.Select(Marshal.StringToCoTaskMemUTF8).ToArray();
            try
            {
                NvrtcResult result;
                fixed (IntPtr* optionPointers = optionStrings)
                    result = Nvrtc.nvrtcCompileProgram(program, optionStrings.Length, (byte**)optionPointers);
                if (result != NvrtcResult.Success)
                    throw new KernelCompilationException(moduleName, architecture, ErrorString(result), ProgramLog(program));
                return Ptx(program, moduleName, architecture);
            }
            finally
            {
                foreach (var option in optionStrings) Marshal.FreeCoTaskMem(option);
                Nvrtc.nvrtcDestroyProgram(ref program);
            }
        }
    }

    private static unsafe string Ptx(IntPtr program, string moduleName, string architecture)
    {
        CheckNvrtc(Nvrtc.nvrtcGetPTXSize(program, out var size), moduleName, architecture, "reading the PTX size");
        var buffer = new byte[(int)size];
        fixed (byte* ptx = buffer)
            CheckNvrtc(Nvrtc.nvrtcGetPTX(program, ptx), moduleName, architecture, "reading the PTX");
        return TextUpToNul(buffer);
    }

    private static unsafe string ProgramLog(IntPtr program)
    {
        if (Nvrtc.nvrtcGetProgramLogSize(program, out var size) != NvrtcResult.Success || size <= 1) return "(NVRTC left no log)";
        var buffer = new byte[(int)size];
        fixed (byte* log = buffer)
            if (Nvrtc.nvrtcGetProgramLog(program, log) != NvrtcResult.Success) return "(NVRTC's log could not be read)";
        return TextUpToNul(buffer);
    }

    private static void CheckNvrtc(NvrtcResult result, string moduleName, string architecture, string step)
    {
        if (result != NvrtcResult.Success)
            throw new KernelCompilationException(moduleName, architecture, $"{ErrorString(result)} while {step}", "");
    }

    private static string ErrorString(NvrtcResult result) =>
        Marshal.PtrToStringUTF8(Nvrtc.nvrtcGetErrorString(result)) ?? $"nvrtcResult {(int)result}";

    /// <summary>NVRTC's sizes count the terminating NUL; the string must not contain it.</summary>
    private static string TextUpToNul(byte[] bytes)
    {
        var length = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, length < 0 ? bytes.Length : length);
    }
}
