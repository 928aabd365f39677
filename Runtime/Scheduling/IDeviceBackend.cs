namespace Differentiable.Scheduling;

/// <summary>
/// Where a device program runs: the CUDA driver on a GPU (<c>Differentiable.Cuda.CudaBackend</c>), or, in tests
/// without a GPU, a host emulation of the same kernels. The program and its launches are identical on both;
/// only this interface differs. Addresses are opaque 64-bit values (device pointers on a GPU).
/// </summary>
public interface IDeviceBackend : IDisposable
{
    /// <summary>What runs the kernels, for messages: "NVIDIA H100 80GB HBM3 (sm_90)", "host emulation".</summary>
    string Name { get; }

    /// <summary>Allocates <paramref name="bytes"/> of device memory (contents undefined).</summary>
    ulong Allocate(long bytes);

    void Free(ulong address);

    /// <summary>Copies host values to device memory at <paramref name="address"/>; ordered with the launches.</summary>
    void Upload<T>(ulong address, ReadOnlySpan<T> values) where T : unmanaged;

    /// <summary>Copies device memory to the host, after all work queued before it has finished.</summary>
    void Download<T>(ulong address, Span<T> values) where T : unmanaged;

    /// <summary>Sets <paramref name="bytes"/> bytes at <paramref name="address"/> to <paramref name="value"/>; ordered with the launches.</summary>
    void Fill(ulong address, long bytes, byte value);

    /// <summary>Compiles (or finds in the cache) a CUDA C source and returns its kernels by name.</summary>
    IKernelModule Load(string source, string moduleName);

    /// <summary>
    /// Queues <paramref name="kernel"/> with <paramref name="blocks"/> × <paramref name="threadsPerBlock"/> threads. Every
    /// kernel takes <c>(const Geometry g, p0, p1, ...)</c>: the geometry by value, then the buffer addresses.
    /// </summary>
    void Launch(IKernel kernel, int blocks, int threadsPerBlock, in KernelGeometry geometry, ReadOnlySpan<ulong> pointers);

    /// <summary>
    /// Records the launches (and fills) <paramref name="record"/> queues into a graph instead of running them; the
    /// graph replays them all with one call. On a GPU this is a CUDA graph captured from the stream.
    /// </summary>
    IReplayable Capture(Action record);

    /// <summary>Waits until all queued work has finished.</summary>
    void Synchronize();
}

/// <summary>The compiled kernels of one CUDA source.</summary>
public interface IKernelModule : IDisposable
{
    /// <summary>The kernel with this <c>extern "C"</c> name; a clear error names the module when it is missing.</summary>
    IKernel this[string name] { get; }
}

/// <summary>One compiled kernel, launched through <see cref="IDeviceBackend.Launch"/>.</summary>
public interface IKernel
{
    string Name { get; }
}

/// <summary>Launches captured once, replayed many times (a CUDA graph on a GPU).</summary>
public interface IReplayable : IDisposable
{
    /// <summary>Queues all captured work once more.</summary>
    void Replay();
}
