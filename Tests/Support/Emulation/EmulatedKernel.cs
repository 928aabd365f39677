using System.Runtime.InteropServices;
using Differentiable.Scheduling;

namespace Differentiable.Tests.Support.Emulation;

/// <summary>One kernel of a loaded module: its host launcher, called through an unmanaged function pointer.</summary>
internal sealed unsafe class EmulatedKernel(EmulatedModule module, KernelSignature signature, nint launcher) : IKernel
{
    // Room for the launcher's account of a block that could not finish; its messages are one sentence.
    private const int MessageCapacity = 1024;

    public string Name => signature.Name;

    public string ModuleName => module.Name;

    /// <summary>How many buffer addresses the kernel declares after its geometry.</summary>
    public int PointerCount => signature.PointerTypes.Count;

    /// <summary>Runs every thread of the grid on the calling thread; returns when the last one has.</summary>
    /// <exception cref="InvalidOperationException">
    /// The threads of a block could not all finish (a barrier or warp operation that some of them never reach: undefined
    /// behaviour on a GPU); the message names the kernel and says which threads wait where.
    /// </exception>
    public void Run(int blocks, int threadsPerBlock, in KernelGeometry geometry, ReadOnlySpan<ulong> pointers)
    {
        // A launch after the module's library was unloaded would jump into unmapped code.
        module.ThrowIfDisposed();
        var launch = (delegate* unmanaged<KernelGeometry*, ulong*, int, int, byte*, int, int>)launcher;
        var copy = geometry;
        var message = stackalloc byte[MessageCapacity];
        int failed;
        fixed (ulong* addresses = pointers)
            failed = launch(&copy, addresses, blocks, threadsPerBlock, message, MessageCapacity);
        if (failed != 0)
            throw new InvalidOperationException($"Kernel '{Name}' (module '{ModuleName}'): {Marshal.PtrToStringUTF8((nint)message)}.");
    }
}
