using System.Runtime.CompilerServices;
using Differentiable.Cuda;
using Differentiable.Scheduling;
using Differentiable.Tests.Cuda;
using Differentiable.Tests.Data;
using Differentiable.Tests.Support.Emulation;

namespace Differentiable.Tests.Emulation;

/// <summary>
/// A host emulator for tests of hand-written kernels that also holds each source to what a GPU accepts: where NVRTC
/// is present, a kernel loaded here must compile for compute_80 too, so that the emulator is never the only thing
/// that runs it.
/// </summary>
internal sealed class EmulatorBench : IDisposable
{
    private readonly TempDirectory _ptxCache = new();

    public HostEmulatorBackend Backend { get; } = new();

    public IKernel Load(string source, string moduleName, string kernelName)
    {
        if (CudaRequirements.HasNvrtc())
            Assert.Contains($".entry {kernelName}(", new KernelCompiler(_ptxCache.Path).CompileToPtx(source, moduleName, "compute_80"));
        return Backend.Load(source, moduleName)[kernelName];
    }

    public ulong Upload<T>(T[] values) where T : unmanaged
    {
        var address = Backend.Allocate(values.Length * Unsafe.SizeOf<T>());
        Backend.Upload<T>(address, values);
        return address;
    }

    public T[] Download<T>(ulong address, int count) where T : unmanaged
    {
        var values = new T[count];
        Backend.Download<T>(address, values);
        return values;
    }

    /// <summary>A geometry with <paramref name="count"/> and the kernel's integer attributes; the rest zero.</summary>
    public static KernelGeometry Geometry(int count, params int[] ints)
    {
        var geometry = new KernelGeometry { Count = count };
        for (var index = 0; index < ints.Length; index++)
            geometry.Arguments[index] = ints[index];
        return geometry;
    }

    /// <summary>Values in [-1, 1), the same for the same <paramref name="seed"/>.</summary>
    public static float[] RandomValues(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
    }

    public void Dispose()
    {
        Backend.Dispose();
        _ptxCache.Dispose();
    }
}
