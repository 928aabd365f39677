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
    public static void SumInto<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> shape, Span<T> dst, ReadOnlySpan<int> dstStrides)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (src.Length == 0) return;
        var rank = shape.Length;
        if (rank == 0)
        {
            dst[0] += src[0];
            return;
        }
        var inner = shape[rank - 1];
        var s = dstStrides[rank - 1];
        Span<int> index = stackalloc int[rank];
        var off = 0;
        for (var o = 0; o < src.Length; o += inner)
        {
            var row = src.Slice(o, inner);
            if (s == 0)
            {
                var acc = T.Zero;
                for (var j = 0; j < row.Length; j++) acc += row[j];
                dst[off] += acc;
            }
            else if (s == 1)
            {
                Elementwise.AddInPlace(dst.Slice(off, inner), row);
            }
            else
            {
                for (var j = 0; j < row.Length; j++) dst[off + j * s] += row[j];
            }
            Advance(index, shape, dstStrides, ref off);
        }
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
