using System.Numerics;

namespace Differentiable.Cpu;

/// <summary>Elementwise kernels over contiguous spans. Shapes are already checked by the caller.</summary>
internal static class Elementwise
{
    public static void Unary<TOp, T>(ReadOnlySpan<T> x, Span<T> dst)
        where TOp : IUnaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < dst.Length; i++) dst[i] = TOp.Apply(x[i]);
    }

    public static void ScalarRight<TOp, T>(ReadOnlySpan<T> a, T b, Span<T> dst)
        where TOp : IBinaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < dst.Length; i++) dst[i] = TOp.Apply(a[i], b);
    }

    public static void ScalarLeft<TOp, T>(T a, ReadOnlySpan<T> b, Span<T> dst)
        where TOp : IBinaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < dst.Length; i++) dst[i] = TOp.Apply(a, b[i]);
    }

    /// <summary>
    /// dst[idx] = op(a[idx·stridesA], b[idx·stridesB]) over <paramref name="shape"/> (the broadcast shape); a stride of 0
    /// repeats an element along a broadcast dimension. The innermost dimension runs as a tight loop.
    /// </summary>
    public static void Binary<TOp, T>(ReadOnlySpan<T> a, ReadOnlySpan<int> stridesA, ReadOnlySpan<T> b, ReadOnlySpan<int> stridesB,
        Span<T> dst, ReadOnlySpan<int> shape)
        where TOp : IBinaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dst.Length == 0) return;
        var rank = shape.Length;
        if (rank == 0)
        {
            dst[0] = TOp.Apply(a[0], b[0]);
            return;
        }
        var inner = shape[rank - 1];
        var sa = stridesA[rank - 1];
        var sb = stridesB[rank - 1];
        Span<int> index = stackalloc int[rank];
        int offA = 0, offB = 0;
        for (var o = 0; o < dst.Length; o += inner)
        {
            var row = dst.Slice(o, inner);
            if (sa == 1 && sb == 1)
            {
                var ra = a.Slice(offA, inner);
                var rb = b.Slice(offB, inner);
                for (var j = 0; j < row.Length; j++) row[j] = TOp.Apply(ra[j], rb[j]);
            }
            else if (sa == 1 && sb == 0)
            {
                var ra = a.Slice(offA, inner);
                var vb = b[offB];
                for (var j = 0; j < row.Length; j++) row[j] = TOp.Apply(ra[j], vb);
            }
            else if (sa == 0 && sb == 1)
            {
                var va = a[offA];
                var rb = b.Slice(offB, inner);
                for (var j = 0; j < row.Length; j++) row[j] = TOp.Apply(va, rb[j]);
            }
            else
            {
                for (var j = 0; j < row.Length; j++) row[j] = TOp.Apply(a[offA + j * sa], b[offB + j * sb]);
            }
            for (var d = rank - 2; d >= 0; d--)
            {
                index[d]++;
                offA += stridesA[d];
                offB += stridesB[d];
                if (index[d] < shape[d]) break;
                offA -= stridesA[d] * shape[d];
                offB -= stridesB[d] * shape[d];
                index[d] = 0;
            }
        }
    }
}
