using System.Runtime.InteropServices;

namespace Differentiable.Tests.Support.Emulation;

/// <summary>
/// The emulator's "device memory": native host blocks whose addresses are the device addresses. It also knows every
/// block's extent, so that a copy or a launch that strays outside memory it handed out fails with a message instead
/// of corrupting the test process.
/// </summary>
internal sealed unsafe class HostAllocations : IDisposable
{
    // cudaMalloc aligns to 256 bytes; kernels that vectorize may rely on it, so the emulator does too.
    private const nuint Alignment = 256;

    // Start address → size in bytes, ordered so that the block containing an address is found by binary search.
    private readonly SortedList<ulong, long> _blocks = new();

    public ulong Allocate(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        // A zero-byte request still gets a distinct address, as an empty tensor still needs one.
        var address = (ulong)NativeMemory.AlignedAlloc((nuint)Math.Max(bytes, 1), Alignment);
        _blocks.Add(address, bytes);
        return address;
    }

    public void Free(ulong address)
    {
        if (!_blocks.Remove(address))
            throw new ArgumentException($"0x{address:x} is not the start of a block this emulator allocated (or it was freed already).", nameof(address));
        NativeMemory.AlignedFree((void*)address);
    }

    /// <summary>Throws unless [address, address + bytes) lies inside one live block.</summary>
    public void CheckRange(ulong address, long bytes, string what)
    {
        var index = IndexOfBlockAtOrBefore(address);
        if (index < 0 || address + (ulong)bytes > _blocks.Keys[index] + (ulong)_blocks.Values[index])
            throw new ArgumentOutOfRangeException(nameof(address), $"{what}: {bytes} bytes at 0x{address:x} are not inside memory allocated by this emulator.");
    }

    /// <summary>Throws unless <paramref name="address"/> points into a live block (a kernel argument may be an offset view).</summary>
    public void CheckPointer(ulong address, string what)
    {
        var index = IndexOfBlockAtOrBefore(address);
        if (index < 0 || address >= _blocks.Keys[index] + (ulong)Math.Max(_blocks.Values[index], 1))
            throw new ArgumentOutOfRangeException(nameof(address), $"{what}: 0x{address:x} does not point into memory allocated by this emulator.");
    }

    private int IndexOfBlockAtOrBefore(ulong address)
    {
        var starts = _blocks.Keys;
        int low = 0, high = starts.Count - 1, found = -1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            if (starts[middle] <= address) { found = middle; low = middle + 1; }
            else high = middle - 1;
        }
        return found;
    }

    public void Dispose()
    {
        foreach (var address in _blocks.Keys)
            NativeMemory.AlignedFree((void*)address);
        _blocks.Clear();
    }
}
