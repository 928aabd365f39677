using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using Differentiable.Cuda.Native;
using Differentiable.Scheduling;

namespace Differentiable.Cuda;

/// <summary>
/// Runs device programs on one GPU: the primary context of the device and one stream, on which every copy, fill and
/// launch is queued in order. <see cref="Capture"/> records that stream into a CUDA graph, so a whole training step
/// replays with one call. Owns what it creates: disposing it frees its memory, modules and graphs.
/// </summary>
public sealed class CudaBackend : IDeviceBackend
{
    public const int MaxThreadsPerBlock = 1024;

    // The driver keeps a "current context" per thread. Tests and async code call in from several threads, so every
    // entry point makes this backend's context current, and this cache skips the driver call when it already is.
    [ThreadStatic] private static CudaBackend? _currentOnThisThread;

    private readonly Lock _ownedLock = new();
    private readonly Dictionary<ulong, long> _allocations = [];
    private readonly HashSet<IDisposable> _ownedResources = [];
    private readonly KernelCompiler _compiler;
    private readonly int _device;
    private readonly IntPtr _context;
    private bool _capturing;
    private int _capturedLaunches;
    private int _capturedFills;
    private bool _disposed;

    /// <summary>Opens GPU <paramref name="deviceOrdinal"/>; throws <see cref="CudaException"/> without a driver, GPU or NVRTC.</summary>
    /// <param name="deviceOrdinal">Which GPU: 0 is the first.</param>
    /// <param name="compiler">Compiles the kernels; null for <see cref="KernelCompiler.Shared"/>.</param>
    public CudaBackend(int deviceOrdinal = 0, KernelCompiler? compiler = null)
    {
        Device = CudaDeviceInfo.Query(deviceOrdinal);
        // Checked now, not at the first Load: a backend that cannot compile kernels cannot run anything.
        NvrtcLibrary.EnsureAvailable();
        _compiler = compiler ?? KernelCompiler.Shared;

        DriverCall.Check(CudaDriver.cuDeviceGet(out _device, deviceOrdinal), $"opening CUDA device {deviceOrdinal}");
        // The primary context is the one the CUDA runtime (and PyTorch) use too, so memory and modules are shared
        // with them in one process instead of paying for a second context.
        DriverCall.Check(CudaDriver.cuDevicePrimaryCtxRetain(out _context, _device), $"retaining the primary context of {Device}");
        try
        {
            MakeCurrent();
            // Non-blocking: the stream never waits on the legacy default stream that other libraries may use.
            DriverCall.Check(CudaDriver.cuStreamCreate(out var stream, CuFlags.StreamNonBlocking), $"creating a stream on {Device}");
            Stream = stream;
        }
        catch
        {
            CudaDriver.cuDevicePrimaryCtxRelease(_device);
            throw;
        }
    }

    /// <summary>
    /// Opens GPU <paramref name="deviceOrdinal"/> if this machine has a driver, that GPU and NVRTC; never throws. On
    /// failure <paramref name="reason"/> says what is missing ("no NVIDIA driver (libcuda.so.1) found; ...").
    /// </summary>
    public static bool TryCreate([NotNullWhen(true)] out CudaBackend? backend, out string reason, int deviceOrdinal = 0)
    {
        try
        {
            backend = new CudaBackend(deviceOrdinal);
            reason = "";
            return true;
        }
        catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            backend = null;
            reason = e.Message;
            return false;
        }
    }

    public CudaDeviceInfo Device { get; }

    public string Name => Device.ToString();

    /// <summary>The one stream all work is queued on; <see cref="DeviceTimer"/> records its events here.</summary>
    internal IntPtr Stream { get; }

    public ulong Allocate(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        EnterOutsideCapture("allocate device memory");
        DriverCall.Check(CudaDriver.cuMemAlloc(out var address, (nuint)bytes), $"allocating {ByteCount.Format(bytes)} on {Device}");
        lock (_ownedLock) _allocations[address] = bytes;
        return address;
    }

    public void Free(ulong address)
    {
        EnterOutsideCapture("free device memory");
        long bytes;
        lock (_ownedLock)
            if (!_allocations.Remove(address, out bytes))
                throw new ArgumentException($"0x{address:x} is not an allocation of this backend (or was freed already).", nameof(address));
        DriverCall.Check(CudaDriver.cuMemFree(address), $"freeing {ByteCount.Format(bytes)} at 0x{address:x}");
    }

    public unsafe void Upload<T>(ulong address, ReadOnlySpan<T> values) where T : unmanaged
    {
        EnterOutsideCapture("upload");
        if (values.IsEmpty) return;
        var bytes = (long)values.Length * Unsafe.SizeOf<T>();
        // From pageable memory the driver copies into a staging buffer before it returns, so the span may be reused
        // as soon as this call is over; the transfer itself stays ordered with the stream's launches.
        fixed (T* source = values)
            DriverCall.Check(CudaDriver.cuMemcpyHtoDAsync(address, source, (nuint)bytes, Stream), $"uploading {ByteCount.Format(bytes)} to 0x{address:x}");
    }

    public unsafe void Download<T>(ulong address, Span<T> values) where T : unmanaged
    {
        EnterOutsideCapture("download");
        if (values.IsEmpty) return;
        var bytes = (long)values.Length * Unsafe.SizeOf<T>();
        fixed (T* destination = values)
        {
            DriverCall.Check(CudaDriver.cuMemcpyDtoHAsync(destination, address, (nuint)bytes, Stream), $"downloading {ByteCount.Format(bytes)} from 0x{address:x}");
            // The span is only pinned inside this block: the copy must be complete before it ends.
            DriverCall.Check(CudaDriver.cuStreamSynchronize(Stream), $"waiting for the download of {ByteCount.Format(bytes)} from 0x{address:x}");
        }
    }

    public void Fill(ulong address, long bytes, byte value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Enter();
        if (bytes == 0) return;
        DriverCall.Check(CudaDriver.cuMemsetD8Async(address, value, (nuint)bytes, Stream), $"filling {ByteCount.Format(bytes)} at 0x{address:x} with {value}");
        if (_capturing) _capturedFills++;
    }

    public IKernelModule Load(string source, string moduleName)
    {
        EnterOutsideCapture("load a kernel module");
        // CompileAndLoad compiles again, once, when the driver refuses PTX that came from the disk cache.
        var loaded = _compiler.CompileAndLoad(source, moduleName, Device.Architecture,
            ptx => new CudaModule(this, moduleName, LoadPtx(ptx, moduleName), ptx));
        lock (_ownedLock) _ownedResources.Add(loaded);
        return loaded;
    }

    private unsafe IntPtr LoadPtx(string ptx, string moduleName)
    {
        var image = Encoding.UTF8.GetBytes(ptx + '\0');
        CuResult result;
        IntPtr module;
        fixed (byte* bytes = image)
            result = CudaDriver.cuModuleLoadData(out module, bytes);
        if (result == CuResult.ErrorUnsupportedPtxVersion)
            throw new CudaException(
                $"loading kernel module '{moduleName}' failed: its PTX comes from NVRTC {NvrtcLibrary.Version} ({NvrtcLibrary.File}), " +
                $"which is newer than the driver ({DriverVersion()}) can load; install a newer NVIDIA driver or an older NVRTC.",
                "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", (int)result, $"loading kernel module '{moduleName}'");
        DriverCall.Check(result, $"loading kernel module '{moduleName}' ({ByteCount.Format(image.Length)} of PTX for {Device.Architecture})");
        return module;
    }

    public unsafe void Launch(IKernel kernel, int blocks, int threadsPerBlock, in KernelGeometry geometry, ReadOnlySpan<ulong> pointers)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel is not CudaKernel cudaKernel || cudaKernel.Owner != this)
            throw new ArgumentException($"Kernel '{kernel.Name}' was not loaded by this CUDA backend.", nameof(kernel));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blocks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threadsPerBlock);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threadsPerBlock, MaxThreadsPerBlock);
        if (pointers.Length > KernelGeometry.MaxPointers)
            throw new ArgumentException($"Kernel '{kernel.Name}' was given {pointers.Length} pointers; kernels take at most {KernelGeometry.MaxPointers}.", nameof(pointers));
        Enter();

        // cuLaunchKernel wants the address of each argument, in order: the geometry by value, then each pointer. It
        // copies the values before returning (a captured launch keeps its own copy), so stack memory is enough.
        var geometryCopy = geometry;
        var addresses = stackalloc ulong[pointers.Length];
        var arguments = stackalloc void*[1 + pointers.Length];
        arguments[0] = &geometryCopy;
        for (var i = 0; i < pointers.Length; i++)
        {
            addresses[i] = pointers[i];
            arguments[1 + i] = &addresses[i];
        }
        DriverCall.Check(
            CudaDriver.cuLaunchKernel(cudaKernel.Function, (uint)blocks, 1, 1, (uint)threadsPerBlock, 1, 1, 0, Stream, arguments, null),
            $"launching kernel {kernel.Name} with {blocks} blocks × {threadsPerBlock} threads");
        if (_capturing) _capturedLaunches++;
    }

    public IReplayable Capture(Action record)
    {
        ArgumentNullException.ThrowIfNull(record);
        EnterOutsideCapture("start a capture");
        // Thread-local mode: only this thread's unsafe calls (a cuMemAlloc, a sync) break the capture, so other
        // backends or libraries working on other threads are not affected.
        DriverCall.Check(CudaDriver.cuStreamBeginCapture(Stream, CuStreamCaptureMode.ThreadLocal), $"starting a CUDA graph capture on {Device}");
        _capturing = true;
        _capturedLaunches = 0;
        _capturedFills = 0;
        IntPtr graph;
        try
        {
            record();
        }
        catch
        {
            // The stream must leave capture mode whatever happened, or every later call on it fails.
            _capturing = false;
            if (CudaDriver.cuStreamEndCapture(Stream, out graph) == CuResult.Success && graph != IntPtr.Zero)
                CudaDriver.cuGraphDestroy(graph);
            throw;
        }
        _capturing = false;
        var contents = $"{_capturedLaunches} launch{(_capturedLaunches == 1 ? "" : "es")}, {_capturedFills} fill{(_capturedFills == 1 ? "" : "s")}";
        DriverCall.Check(CudaDriver.cuStreamEndCapture(Stream, out graph), $"ending the CUDA graph capture ({contents})");
        try
        {
            DriverCall.Check(CudaDriver.cuGraphInstantiateWithFlags(out var graphExec, graph, 0), $"instantiating the captured CUDA graph ({contents})");
            var replayable = new CudaGraph(this, graphExec, contents);
            lock (_ownedLock) _ownedResources.Add(replayable);
            return replayable;
        }
        finally
        {
            // The executable graph is a copy; the template is no longer needed.
            CudaDriver.cuGraphDestroy(graph);
        }
    }

    public void Synchronize()
    {
        EnterOutsideCapture("synchronize");
        // A kernel that failed asynchronously (an illegal address) reports here, at the first wait after it.
        DriverCall.Check(CudaDriver.cuStreamSynchronize(Stream), $"waiting for the work queued on {Device}");
    }

    public void Dispose()
    {
        if (_disposed) return;
        MakeCurrent();
        // Best effort throughout: after a sticky error (an illegal address) the driver refuses most calls, and
        // Dispose must still give back everything it can.
        CudaDriver.cuStreamSynchronize(Stream);
        IDisposable[] resources;
        ulong[] allocations;
        lock (_ownedLock)
        {
            resources = [.. _ownedResources];
            allocations = [.. _allocations.Keys];
            _allocations.Clear();
        }
        foreach (var resource in resources) resource.Dispose();
        foreach (var address in allocations) CudaDriver.cuMemFree(address);
        CudaDriver.cuStreamDestroy(Stream);
        CudaDriver.cuDevicePrimaryCtxRelease(_device);
        _disposed = true;
        _currentOnThisThread = null;
    }

    /// <summary>Makes this backend's context the calling thread's current one (a no-op when it already is).</summary>
    internal void MakeCurrent()
    {
        if (ReferenceEquals(_currentOnThisThread, this)) return;
        DriverCall.Check(CudaDriver.cuCtxSetCurrent(_context), $"making the context of {Device} current");
        _currentOnThisThread = this;
    }

    /// <summary>A module or graph disposed by its user no longer needs disposing with the backend.</summary>
    internal void Forget(IDisposable resource)
    {
        lock (_ownedLock) _ownedResources.Remove(resource);
    }

    private void Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        MakeCurrent();
    }

    private void EnterOutsideCapture(string action)
    {
        Enter();
        // The driver would reject these calls too, but only after invalidating the capture, with a generic error.
        if (_capturing)
            throw new InvalidOperationException(
                $"Cannot {action} while capturing a CUDA graph: a graph holds launches and fills only. Do it before Capture, or after.");
    }

    private static string DriverVersion() =>
        CudaDriver.cuDriverGetVersion(out var version) == CuResult.Success ? $"CUDA {version / 1000}.{version % 1000 / 10}" : "unknown version";
}
