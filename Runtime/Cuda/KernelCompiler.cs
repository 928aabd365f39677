using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Differentiable.Cuda.Native;

namespace Differentiable.Cuda;

/// <summary>
/// Compiles CUDA C sources to PTX with NVRTC (no GPU needed) and caches the PTX in memory and on disk, keyed by a
/// SHA-256 of the source, the options, the architecture and the NVRTC version, so a second run compiles nothing.
/// A cached file is used only if its header (key, length, SHA-256 of the PTX) checks out, and PTX from the disk that
/// the driver refuses to load is compiled again once (<see cref="CompileAndLoad{TModule}"/>); either way the bad entry
/// is deleted and reported through <see cref="Warning"/>.
/// </summary>
public sealed class KernelCompiler
{
    private static readonly Lazy<KernelCompiler> SharedInstance = new(() => new KernelCompiler());

    // NVRTC documents no thread-safety guarantee across all the versions we load; compiles are rare and cached, so
    // serializing them costs nothing that matters.
    private static readonly Lock NvrtcLock = new();

    private readonly ConcurrentDictionary<string, MemoryEntry> _memory = new(StringComparer.Ordinal);
    // Keys already reported: two threads that find the same bad file at once still warn once.
    private readonly ConcurrentDictionary<string, bool> _reported = new(StringComparer.Ordinal);
    private readonly PtxDiskCache _disk;
    private Action<string> _warning = WriteToStandardError;
    private int _nvrtcCompilations;

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

    /// <summary>
    /// Told, once per entry, when a cached PTX file was rejected (damaged, truncated, written under another key, or
    /// refused by the driver), deleted and compiled again; the cache itself never fails a compile. Called after the file
    /// is deleted and before the compile. Defaults to one line on standard error; set it to route the line to a log,
    /// or to <c>_ => { }</c> to silence it.
    /// </summary>
    public Action<string> Warning
    {
        get => _warning;
        set => _warning = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>How many times this compiler has run NVRTC (every other answer came from a cache).</summary>
    public int NvrtcCompilations => Volatile.Read(ref _nvrtcCompilations);

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
    public PtxCompilation Compile(string source, string moduleName, string architecture) =>
        Lookup(source, moduleName, architecture).Compilation;

    /// <summary>
    /// Compiles <paramref name="source"/> (or finds its PTX cached) and returns what <paramref name="load"/> makes of
    /// the PTX. If <paramref name="load"/> throws on PTX that was read from the disk cache, the entry is deleted, the
    /// source compiled again and <paramref name="load"/> called once more, with a <see cref="Warning"/>: an entry the
    /// driver refuses then costs one compile, not a failure on every run until someone deletes the file. When the
    /// fresh PTX fails too, or the PTX was compiled in this process, the exception of <paramref name="load"/> is thrown.
    /// </summary>
    /// <param name="source">The CUDA C source, as for <see cref="Compile"/>.</param>
    /// <param name="moduleName">Names the module in messages and in NVRTC's log.</param>
    /// <param name="architecture">A virtual architecture such as "compute_90".</param>
    /// <param name="load">Loads PTX into a module, as <c>cuModuleLoadData</c> does; throws when it cannot.</param>
    public TModule CompileAndLoad<TModule>(string source, string moduleName, string architecture, Func<string, TModule> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        var found = Lookup(source, moduleName, architecture);
        try
        {
            return load(found.Compilation.Ptx);
        }
        catch (Exception e) when (found.ReadFromDisk)
        {
            // Recompiling PTX that NVRTC just made would make the same PTX, so only a file from the disk earns a retry.
            _memory.TryRemove(found.Request.Key, out _);
            _disk.Evict(found.Request.Key);
            Warn(found.Request,
                $"the cached PTX {_disk.PathOf(found.Request.Key)} of kernel module '{moduleName}' failed to load ({e.Message}); " +
                "deleted it and compiled the module again");
        }
        // Outside the catch: a second failure surfaces as itself, not as an exception thrown from a handler.
        return load(RunNvrtcAndStore(found.Request).Ptx);
    }

    private Found Lookup(string source, string moduleName, string architecture)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(moduleName);
        ArgumentException.ThrowIfNullOrWhiteSpace(architecture);
        NvrtcLibrary.EnsureAvailable();

        var options = Options(architecture);
        var request = new Request(source, moduleName, architecture, options, CacheKey(source, options, architecture, NvrtcLibrary.Version));
        if (_memory.TryGetValue(request.Key, out var cached))
            return new Found(request, new PtxCompilation(cached.Ptx, PtxOrigin.MemoryCache), cached.ReadFromDisk);
        if (_disk.TryRead(request.Key, out var stored, out var problem))
        {
            _memory[request.Key] = new MemoryEntry(stored, ReadFromDisk: true);
            return new Found(request, new PtxCompilation(stored, PtxOrigin.DiskCache), ReadFromDisk: true);
        }
        if (problem is not null)
            Warn(request, $"the cached PTX {_disk.PathOf(request.Key)} of kernel module '{moduleName}' {problem}; deleted it and compiled the module again");
        return new Found(request, RunNvrtcAndStore(request), ReadFromDisk: false);
    }

    private PtxCompilation RunNvrtcAndStore(Request request)
    {
        var ptx = RunNvrtc(request.Source, request.ModuleName, request.Architecture, request.Options);
        Interlocked.Increment(ref _nvrtcCompilations);
        _memory[request.Key] = new MemoryEntry(ptx, ReadFromDisk: false);
        _disk.Write(request.Key, ptx);
        return new PtxCompilation(ptx, PtxOrigin.Compiled);
    }

    private void Warn(Request request, string message)
    {
        if (_reported.TryAdd(request.Key, true)) _warning(message);
    }

    private static void WriteToStandardError(string message) => Console.Error.WriteLine("differentiable: warning: " + message);

    private sealed record Request(string Source, string ModuleName, string Architecture, IReadOnlyList<string> Options, string Key);

    /// <summary>The PTX for a request; <paramref name="ReadFromDisk"/> also when it was read earlier and is now held in memory.</summary>
    private sealed record Found(Request Request, PtxCompilation Compilation, bool ReadFromDisk);

    private sealed record MemoryEntry(string Ptx, bool ReadFromDisk);

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
