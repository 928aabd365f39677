using System.Numerics;

namespace Differentiable.Cpu;

/// <summary>Copying a tensor out to a broadcast shape, and the adjoint: summing a broadcast shape back.</summary>
internal static class Broadcast
{
    /// <summary>dst (contiguous, <paramref name="shape"/>)[idx] = src[idx·srcStrides].</summary>
    public static void Expand<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> srcStrides, Span<T> dst, ReadOnlySpan<int> shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dst.Length == 0) return;
        var rank = shape.Length;
        if (rank == 0)
        {
            dst[0] = src[0];
            return;
        }
        var inner = shape[rank - 1];
        var s = srcStrides[rank - 1];
        Span<int> index = stackalloc int[rank];
        var off = 0;
        for (var o = 0; o < dst.Length; o += inner)
        {
            var row = dst.Slice(o, inner);
            if (s == 1) src.Slice(off, inner).CopyTo(row);
            else if (s == 0) row.Fill(src[off]);
            else for (var j = 0; j < row.Length; j++) row[j] = src[off + j * s];
            Advance(index, shape, srcStrides, ref off);
        }
    }

    /// <summary>dst[idx·dstStrides] += src (contiguous, <paramref name="shape"/>)[idx]; dst must start zeroed.</summary>
    /// <remarks>
    /// Adjacent axes that are reduced together, or that stay contiguous in dst, are walked as one, so a bias gradient
    /// (N, F, H, W) → (F, 1, 1) sums rows of H·W elements with vectors rather than rows of W one element at a time (the
    /// sample CNN's two bias gradients took about 160 µs of its 2.5 ms training step; under 10 µs now).
    /// </remarks>
    public static void SumInto<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> shape, Span<T> dst, ReadOnlySpan<int> dstStrides)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (src.Length == 0) return;
        if (shape.Length == 0)
        {
            dst[0] += src[0];
            return;
        }
        Span<int> mergedShape = stackalloc int[shape.Length];
        Span<int> mergedStrides = stackalloc int[shape.Length];
        // One operand: the destination's strides stand for both.
        var rank = Coalesce(shape, dstStrides, dstStrides, mergedShape, mergedStrides, mergedStrides);
        var axes = mergedShape[..rank];
        var strides = mergedStrides[..rank];
        var inner = axes[rank - 1];
        var s = strides[rank - 1];
        Span<int> index = stackalloc int[rank];
        var off = 0;
        for (var o = 0; o < src.Length; o += inner)
        {
            var row = src.Slice(o, inner);
            if (s == 0) dst[off] += Reductions.VectorSum(row);
            else if (s == 1) Elementwise.AddInPlace(dst.Slice(off, inner), row);
            else for (var j = 0; j < row.Length; j++) dst[off + j * s] += row[j];
            Advance(index, axes, strides, ref off);
        }
    }

    /// <summary>
    /// Merges each axis into the one before it when every operand steps over the pair as over one axis (stride of the
    /// outer = stride of the inner × its size: contiguous, or broadcast along both); drops size-1 axes; returns the new
    /// rank (at least 1). A bias (F, 1, 1) over (N, F, H, W) becomes rows of H·W, which vector loops take whole, instead
    /// of rows of W, which a 16-lane loop left mostly to its scalar tail (W = 8 in the sample CNN's second layer).
    /// </summary>
    public static int Coalesce(ReadOnlySpan<int> shape, ReadOnlySpan<int> stridesA, ReadOnlySpan<int> stridesB,
        Span<int> outShape, Span<int> outA, Span<int> outB)
    {
        var rank = 0;
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            if (rank > 0 && outA[rank - 1] == stridesA[d] * shape[d] && outB[rank - 1] == stridesB[d] * shape[d])
            {
                outShape[rank - 1] *= shape[d];
                outA[rank - 1] = stridesA[d];
                outB[rank - 1] = stridesB[d];
                continue;
            }
            outShape[rank] = shape[d];
            outA[rank] = stridesA[d];
            outB[rank] = stridesB[d];
            rank++;
        }
        if (rank > 0) return rank;
        (outShape[0], outA[0], outB[0]) = (1, 0, 0);
        return 1;
    }

    /// <summary>Steps the multi-index over all but the innermost dimension, keeping the strided offset in step.</summary>
    private static void Advance(Span<int> index, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, ref int offset)
    {
        for (var d = shape.Length - 2; d >= 0; d--)
        {
            index[d]++;
            offset += strides[d];
            if (index[d] < shape[d]) return;
            offset -= strides[d] * shape[d];
            index[d] = 0;
        }
    }
}
