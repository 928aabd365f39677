using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Differentiable.Cpu;

/// <summary>
/// Copies, adds and clears of short contiguous runs (a row of an image, a kernel's width): the patch matrices of the
/// convolutions are built from thousands of runs of 5 to 30 elements per image, where a call of
/// <see cref="Span{T}.CopyTo"/> (a memmove and two bounds checks) costs more than the copy itself. Whole vectors first,
/// then the tail element by element.
/// </summary>
internal static unsafe class Runs
{
    /// <summary>dst[0..n) = src[0..n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy<T>(T* src, T* dst, int n) where T : unmanaged
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + Vector256<T>.Count <= n; i += Vector256<T>.Count) Vector256.Load(src + i).Store(dst + i);
        for (; i < n; i++) dst[i] = src[i];
    }

    /// <summary>dst[0..n) += src[0..n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add<T>(T* src, T* dst, int n) where T : unmanaged, INumberBase<T>
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + Vector256<T>.Count <= n; i += Vector256<T>.Count) (Vector256.Load(dst + i) + Vector256.Load(src + i)).Store(dst + i);
        for (; i < n; i++) dst[i] += src[i];
    }

    /// <summary>dst[0..n) = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Clear<T>(T* dst, int n) where T : unmanaged
    {
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + Vector256<T>.Count <= n; i += Vector256<T>.Count) Vector256<T>.Zero.Store(dst + i);
        for (; i < n; i++) dst[i] = default;
    }

    /// <summary>
    /// The part of an output row that a kernel tap reads inside the input: output columns [lo, hi) read input columns
    /// lo·stride − padding + tap …, all within [0, width). Columns before lo and from hi on read padding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int Lo, int Hi) Inside(int outputs, int width, int stride, int padding, int tap)
    {
        // first column ow with ow·stride − padding + tap ≥ 0, and the end of those with ow·stride − padding + tap < width
        var lo = Math.Max(0, (padding - tap + stride - 1) / stride);
        var hi = Math.Min(outputs, width + padding - tap <= 0 ? 0 : (width + padding - tap - 1) / stride + 1);
        return (Math.Min(lo, hi), hi);
    }
}
