namespace Differentiable.Generator.Collections;

/// <summary>
/// Why the collections in this folder exist. The generator runs inside the compiler server, whose heap holds every open
/// compilation. An array of 85,000 bytes or more goes to the large-object heap, and allocating those is what triggers
/// the server's full (generation 2) collections, which mark that whole heap: on a 1,000-statement body, a run that kept
/// its per-node tables in one dictionary each paid 0.8 full collections (half its time) for 16 MB of such arrays. These
/// collections keep every array they allocate below the threshold, whatever the graph's size.
/// </summary>
internal static class LargeObjectHeap
{
    /// <summary>log2 of <see cref="SafeLength"/>: segments and pages are indexed by shifting.</summary>
    public const int SafeLengthShift = 11;

    /// <summary>Elements per array when an element is at most 32 bytes: 2,048 × 32 = 64 KiB, below the 85,000-byte threshold.</summary>
    public const int SafeLength = 1 << SafeLengthShift;
}
