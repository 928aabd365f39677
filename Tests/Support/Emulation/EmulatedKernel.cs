using Differentiable.Scheduling;

namespace Differentiable.Tests.Support.Emulation;

/// <summary>One kernel of a loaded module: its host launcher, called through an unmanaged function pointer.</summary>
internal sealed unsafe class EmulatedKernel(EmulatedModule module, KernelSignature signature, nint launcher) : IKernel
{
    public string Name => signature.Name;

    public string ModuleName => module.Name;

    /// <summary>How many buffer addresses the kernel declares after its geometry.</summary>
    public int PointerCount => signature.PointerTypes.Count;

    /// <summary>Runs every thread of the grid on the calling thread; returns when the last one has.</summary>
    public void Run(int blocks, int threadsPerBlock, in KernelGeometry geometry, ReadOnlySpan<ulong> pointers)
    {
        // A launch after the module's library was unloaded would jump into unmapped code.
        module.ThrowIfDisposed();
        var launch = (delegate* unmanaged<KernelGeometry*, ulong*, int, int, void>)launcher;
        var copy = geometry;
        fixed (ulong* addresses = pointers)
            launch(&copy, addresses, blocks, threadsPerBlock);
    }
}
