using System.Runtime.InteropServices;
using Differentiable.Scheduling;

namespace Differentiable.Tests.Support.Emulation;

/// <summary>
/// Runs the generated CUDA C kernels on the CPU, so that tests without a GPU can check a device program's numbers
/// against the CPU path. Each source is compiled by g++ with a shim that gives CUDA's qualifiers, thread coordinates
/// and atomics a host meaning, plus a launcher per kernel that runs the grid's blocks one after another. A block's
/// threads run one after another too, unless the module uses <c>__syncthreads</c>, <c>__syncwarp</c> or warp shuffles:
/// then they run as fibers that switch where they wait, with <c>__shared__</c> memory per block, and a launch whose
/// threads cannot all reach a barrier fails with <see cref="InvalidOperationException"/> instead of hanging. Work runs
/// at once on the calling thread (so <see cref="Synchronize"/> has nothing to wait for), except inside
/// <see cref="Capture"/>, which records it for replay as a CUDA graph would.
/// </summary>
public sealed class HostEmulatorBackend : IDeviceBackend
{
    // CUDA rejects larger blocks; the emulator does too, so that a launch it accepts also runs on a GPU.
    private const int MaxThreadsPerBlock = 1024;

    private readonly HostAllocations _memory = new();
    private readonly KernelLibraryCache _libraries;
    private readonly List<EmulatedModule> _modules = new();
    private List<Action>? _recording;
    private bool _disposed;

    /// <summary>An emulator that keeps compiled modules in the shared cache under the temp folder.</summary>
    public HostEmulatorBackend() : this(KernelLibraryCache.DefaultDirectory) { }

    /// <summary>An emulator that keeps compiled modules in <paramref name="cacheDirectory"/> (created on first compile).</summary>
    public HostEmulatorBackend(string cacheDirectory) => _libraries = new KernelLibraryCache(cacheDirectory);

    public string Name => "host emulation (g++)";

    /// <summary>Where compiled modules are kept between loads and test runs.</summary>
    public string CacheDirectory => _libraries.Directory;

    /// <summary>How many times this backend has run g++; a module found in the disk cache costs none.</summary>
    public int CompilerRuns => _libraries.CompilerRuns;

    /// <summary>Whether this machine can emulate: g++ must be on PATH (and the platform load ELF shared libraries).</summary>
    public static bool IsAvailable(out string reason)
    {
        if (OperatingSystem.IsWindows())
        {
            reason = "the host emulator builds ELF shared libraries with g++, which it does not support on Windows";
            return false;
        }
        if (KernelLibraryCache.FindCompiler() is null)
        {
            reason = "g++ is not on PATH; the host emulator compiles the CUDA C kernels with it";
            return false;
        }
        reason = "";
        return true;
    }

    public ulong Allocate(long bytes)
    {
        ThrowIfDisposed();
        return _memory.Allocate(bytes);
    }

    public void Free(ulong address)
    {
        ThrowIfDisposed();
        _memory.Free(address);
    }

    public void Upload<T>(ulong address, ReadOnlySpan<T> values) where T : unmanaged
    {
        ThrowIfDisposed();
        var bytes = MemoryMarshal.AsBytes(values);
        // The span cannot outlive this call, so a recorded upload replays the values it had when it was captured.
        var copy = bytes.ToArray();
        Enqueue(() =>
        {
            _memory.CheckRange(address, copy.Length, "Upload");
            copy.CopyTo(DeviceBytes(address, copy.Length));
        });
    }

    public void Download<T>(ulong address, Span<T> values) where T : unmanaged
    {
        ThrowIfDisposed();
        // As on a GPU: a download needs finished work, and captured work has not run.
        ThrowIfCapturing(nameof(Download));
        var bytes = MemoryMarshal.AsBytes(values);
        _memory.CheckRange(address, bytes.Length, "Download");
        DeviceBytes(address, bytes.Length).CopyTo(bytes);
    }

    public void Fill(ulong address, long bytes, byte value)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Enqueue(() =>
        {
            _memory.CheckRange(address, bytes, "Fill");
            unsafe { NativeMemory.Fill((void*)address, (nuint)bytes, value); }
        });
    }

    public IKernelModule Load(string source, string moduleName)
    {
        ThrowIfDisposed();
        var kernels = KernelSignature.ParseAll(source, moduleName);
        var translationUnit = TranslationUnit.Write(source, moduleName, kernels);
        var module = new EmulatedModule(moduleName, _libraries.GetOrCompile(translationUnit, moduleName), kernels);
        _modules.Add(module);
        return module;
    }

    public void Launch(IKernel kernel, int blocks, int threadsPerBlock, in KernelGeometry geometry, ReadOnlySpan<ulong> pointers)
    {
        ThrowIfDisposed();
        var emulated = kernel as EmulatedKernel
            ?? throw new ArgumentException($"Kernel '{kernel.Name}' was not loaded by a host emulator backend.", nameof(kernel));
        if (pointers.Length != emulated.PointerCount)
            throw new ArgumentException(
                $"Kernel '{emulated.Name}' (module '{emulated.ModuleName}') declares {emulated.PointerCount} pointer parameter(s) after the geometry, but the launch passes {pointers.Length}.",
                nameof(pointers));
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threadsPerBlock, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threadsPerBlock, MaxThreadsPerBlock);

        var launchGeometry = geometry;
        var addresses = pointers.ToArray();
        Enqueue(() =>
        {
            // Checked when the launch runs, not when it is queued: a replay may come after a buffer was freed.
            for (var index = 0; index < addresses.Length; index++)
                _memory.CheckPointer(addresses[index], $"Kernel '{emulated.Name}' pointer {index}");
            emulated.Run(blocks, threadsPerBlock, launchGeometry, addresses);
        });
    }

    public IReplayable Capture(Action record)
    {
        ThrowIfDisposed();
        ThrowIfCapturing(nameof(Capture));
        var steps = new List<Action>();
        _recording = steps;
        try
        {
            record();
        }
        finally
        {
            _recording = null;
        }
        return new CapturedWork(this, steps);
    }

    public void Synchronize()
    {
        ThrowIfDisposed();
        // CUDA refuses to synchronize a stream that is being captured; failing here keeps the emulator as strict.
        ThrowIfCapturing(nameof(Synchronize));
    }

    /// <summary>Runs <paramref name="work"/> now, or records it when a capture is in progress.</summary>
    internal void Enqueue(Action work)
    {
        ThrowIfDisposed();
        if (_recording is null)
            work();
        else
            _recording.Add(work);
    }

    private static unsafe Span<byte> DeviceBytes(ulong address, int length) => new((void*)address, length);

    private void ThrowIfCapturing(string operation)
    {
        if (_recording is not null)
            throw new InvalidOperationException($"{operation} is not allowed while a capture is in progress.");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var module in _modules)
            module.Dispose();
        _modules.Clear();
        _memory.Dispose();
    }
}
