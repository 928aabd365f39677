using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Differentiable.Cpu;

/// <summary>
/// Elementwise kernels over contiguous spans. Shapes are already checked by the caller. Ops that declare
/// <c>Vectorized</c> run a Vector512 (else Vector256) loop over float and double; the ragged tail goes through the same
/// vector function on a padded copy, so every element of a result is computed the same way wherever it sits.
/// </summary>
internal static class Elementwise
{
    /// <summary>The vector width in use: 512 or 256 bits, or 0 for scalar code.</summary>
    private static readonly int Width = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool CanVectorize<T>() where T : unmanaged =>
        (typeof(T) == typeof(float) || typeof(T) == typeof(double)) && Width != 0;

    public static void Unary<TOp, T>(ReadOnlySpan<T> x, Span<T> dst)
        where TOp : IUnaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (TOp.Vectorized && CanVectorize<T>())
        {
            ElementwiseSplit.Run(x, dst, UnaryRun<TOp, T>);
            return;
        }
        for (var i = 0; i < dst.Length; i++) dst[i] = TOp.Apply(x[i]);
    }

    private static void UnaryRun<TOp, T>(ReadOnlySpan<T> x, Span<T> dst)
        where TOp : IUnaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Width == 512) Unary512<TOp, T>(x, dst);
        else Unary256<TOp, T>(x, dst);
    }

    private static void Unary512<TOp, T>(ReadOnlySpan<T> x, Span<T> dst)
        where TOp : IUnaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var ds = ref MemoryMarshal.GetReference(dst);
        var w = Vector512<T>.Count;
        var n = dst.Length;
        var i = 0;
        for (; i <= n - w; i += w) TOp.Apply512(Vector512.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ds, (nuint)i);
        if (i < n)
        {
            Span<T> buf = stackalloc T[w];
            buf.Clear();
            x[i..].CopyTo(buf);
            TOp.Apply512(Vector512.Create((ReadOnlySpan<T>)buf)).CopyTo(buf);
            buf[..(n - i)].CopyTo(dst[i..]);
        }
    }

    private static void Unary256<TOp, T>(ReadOnlySpan<T> x, Span<T> dst)
        where TOp : IUnaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var xs = ref MemoryMarshal.GetReference(x);
        ref var ds = ref MemoryMarshal.GetReference(dst);
        var w = Vector256<T>.Count;
        var n = dst.Length;
        var i = 0;
        for (; i <= n - w; i += w) TOp.Apply256(Vector256.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ds, (nuint)i);
        if (i < n)
        {
            Span<T> buf = stackalloc T[w];
            buf.Clear();
            x[i..].CopyTo(buf);
            TOp.Apply256(Vector256.Create((ReadOnlySpan<T>)buf)).CopyTo(buf);
            buf[..(n - i)].CopyTo(dst[i..]);
        }
    }

    public static void ScalarRight<TOp, T>(ReadOnlySpan<T> a, T b, Span<T> dst)
        where TOp : IBinaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (TOp.Vectorized && CanVectorize<T>())
        {
            SplitRows<TOp, T>(a, default, dst, RowKind.ScalarRight, b);
            return;
        }
        for (var i = 0; i < dst.Length; i++) dst[i] = TOp.Apply(a[i], b);
    }

    public static void ScalarLeft<TOp, T>(T a, ReadOnlySpan<T> b, Span<T> dst)
        where TOp : IBinaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (TOp.Vectorized && CanVectorize<T>())
        {
            SplitRows<TOp, T>(default, b, dst, RowKind.ScalarLeft, a);
            return;
        }
        for (var i = 0; i < dst.Length; i++) dst[i] = TOp.Apply(a, b[i]);
    }

    private enum RowKind { Both, ScalarRight, ScalarLeft }

    /// <summary><see cref="Rows{TOp, T}"/> over one long run, split across the cores when it is long enough.</summary>
    private static unsafe void SplitRows<TOp, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> dst, RowKind kind, T s)
        where TOp : IBinaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        var parts = ElementwiseSplit.Parts(dst.Length);
        if (parts == 1)
        {
            Rows<TOp, T>(a, b, dst, kind, s);
            return;
        }
        fixed (T* pa = a, pb = b, pd = dst)
        {
            // A scalar side is an empty span (its pointer is not read).
            nint aa = (nint)pa, ab = (nint)pb, ad = (nint)pd;
            bool readsA = kind != RowKind.ScalarLeft, readsB = kind != RowKind.ScalarRight;
            ElementwiseSplit.Run(dst.Length, parts, (start, length) => Rows<TOp, T>(
                readsA ? new ReadOnlySpan<T>((T*)aa + start, length) : default,
                readsB ? new ReadOnlySpan<T>((T*)ab + start, length) : default,
                new Span<T>((T*)ad + start, length), kind, s));
        }
    }

    /// <summary>
    /// One contiguous run: dst = op(a, b) (Both), op(a, s) (ScalarRight) or op(s, b) (ScalarLeft). For vectorized ops
    /// only; dst may be the same memory as a or b.
    /// </summary>
    private static void Rows<TOp, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> dst, RowKind kind, T s)
        where TOp : IBinaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Width == 512) Rows512<TOp, T>(a, b, dst, kind, s);
        else Rows256<TOp, T>(a, b, dst, kind, s);
    }

    private static void Rows512<TOp, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> dst, RowKind kind, T s)
        where TOp : IBinaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var as_ = ref MemoryMarshal.GetReference(a);
        ref var bs = ref MemoryMarshal.GetReference(b);
        ref var ds = ref MemoryMarshal.GetReference(dst);
        var w = Vector512<T>.Count;
        var n = dst.Length;
        var i = 0;
        var sv = Vector512.Create(s);
        switch (kind)
        {
            case RowKind.Both:
                for (; i <= n - w; i += w)
                    TOp.Apply512(Vector512.LoadUnsafe(ref as_, (nuint)i), Vector512.LoadUnsafe(ref bs, (nuint)i)).StoreUnsafe(ref ds, (nuint)i);
                for (; i < n; i++) dst[i] = TOp.Apply(a[i], b[i]);
                break;
            case RowKind.ScalarRight:
                for (; i <= n - w; i += w) TOp.Apply512(Vector512.LoadUnsafe(ref as_, (nuint)i), sv).StoreUnsafe(ref ds, (nuint)i);
                for (; i < n; i++) dst[i] = TOp.Apply(a[i], s);
                break;
            default:
                for (; i <= n - w; i += w) TOp.Apply512(sv, Vector512.LoadUnsafe(ref bs, (nuint)i)).StoreUnsafe(ref ds, (nuint)i);
                for (; i < n; i++) dst[i] = TOp.Apply(s, b[i]);
                break;
        }
    }

    private static void Rows256<TOp, T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> dst, RowKind kind, T s)
        where TOp : IBinaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var as_ = ref MemoryMarshal.GetReference(a);
        ref var bs = ref MemoryMarshal.GetReference(b);
        ref var ds = ref MemoryMarshal.GetReference(dst);
        var w = Vector256<T>.Count;
        var n = dst.Length;
        var i = 0;
        var sv = Vector256.Create(s);
        switch (kind)
        {
            case RowKind.Both:
                for (; i <= n - w; i += w)
                    TOp.Apply256(Vector256.LoadUnsafe(ref as_, (nuint)i), Vector256.LoadUnsafe(ref bs, (nuint)i)).StoreUnsafe(ref ds, (nuint)i);
                for (; i < n; i++) dst[i] = TOp.Apply(a[i], b[i]);
                break;
            case RowKind.ScalarRight:
                for (; i <= n - w; i += w) TOp.Apply256(Vector256.LoadUnsafe(ref as_, (nuint)i), sv).StoreUnsafe(ref ds, (nuint)i);
                for (; i < n; i++) dst[i] = TOp.Apply(a[i], s);
                break;
            default:
                for (; i <= n - w; i += w) TOp.Apply256(sv, Vector256.LoadUnsafe(ref bs, (nuint)i)).StoreUnsafe(ref ds, (nuint)i);
                for (; i < n; i++) dst[i] = TOp.Apply(s, b[i]);
                break;
        }
    }

    /// <summary>dst += src elementwise (vectorized when possible); used by the broadcast and reduction adjoints.</summary>
    public static void AddInPlace<T>(Span<T> dst, ReadOnlySpan<T> src) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (CanVectorize<T>())
        {
            Rows<AddOp, T>(dst, src, dst, RowKind.Both, default);
            return;
        }
        for (var i = 0; i < dst.Length; i++) dst[i] += src[i];
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
        Span<int> axes = stackalloc int[rank], mergedA = stackalloc int[rank], mergedB = stackalloc int[rank];
        rank = Broadcast.Coalesce(shape, stridesA, stridesB, axes, mergedA, mergedB);
        var vector = TOp.Vectorized && CanVectorize<T>();
        var parts = vector ? ElementwiseSplit.Parts(dst.Length) : 1;
        if (parts > 1 && rank == 1 && mergedA[0] is 0 or 1 && mergedB[0] is 0 or 1 && (mergedA[0] == 1 || mergedB[0] == 1))
        {
            // One long run (equal shapes, or a scalar against a vector): split the run.
            if (mergedA[0] == 1 && mergedB[0] == 1) SplitRows<TOp, T>(a, b, dst, RowKind.Both, default);
            else if (mergedA[0] == 1) SplitRows<TOp, T>(a, default, dst, RowKind.ScalarRight, b[0]);
            else SplitRows<TOp, T>(default, b, dst, RowKind.ScalarLeft, a[0]);
            return;
        }
        var rows = dst.Length / axes[rank - 1];
        if (parts > 1 && rank > 1 && rows >= parts)
        {
            SplitByRows<TOp, T>(a, mergedA[..rank].ToArray(), b, mergedB[..rank].ToArray(), dst, axes[..rank].ToArray(), rows, parts);
            return;
        }
        MergedAxes<TOp, T>(a, mergedA[..rank], b, mergedB[..rank], dst, axes[..rank], 0, rows);
    }

    /// <summary><see cref="MergedAxes{TOp, T}"/> with its rows split into <paramref name="parts"/> ranges, across the cores.</summary>
    private static unsafe void SplitByRows<TOp, T>(ReadOnlySpan<T> a, int[] stridesA, ReadOnlySpan<T> b, int[] stridesB, Span<T> dst, int[] shape, int rows, int parts)
        where TOp : IBinaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* pa = a, pb = b, pd = dst)
        {
            nint aa = (nint)pa, ab = (nint)pb, ad = (nint)pd;
            int lengthA = a.Length, lengthB = b.Length, length = dst.Length;
            CpuParallel.For(parts, p => MergedAxes<TOp, T>(new ReadOnlySpan<T>((T*)aa, lengthA), stridesA, new ReadOnlySpan<T>((T*)ab, lengthB), stridesB,
                new Span<T>((T*)ad, length), shape, (int)((long)rows * p / parts), (int)((long)rows * (p + 1) / parts)));
        }
    }

    /// <summary>
    /// <see cref="Binary{TOp, T}"/> over axes already merged, row by row along the innermost: rows [<paramref name="firstRow"/>,
    /// <paramref name="endRow"/>), each row the same code whichever range it falls in.
    /// </summary>
    private static void MergedAxes<TOp, T>(ReadOnlySpan<T> a, ReadOnlySpan<int> stridesA, ReadOnlySpan<T> b, ReadOnlySpan<int> stridesB,
        Span<T> dst, ReadOnlySpan<int> shape, int firstRow, int endRow)
        where TOp : IBinaryFunctor where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rank = shape.Length;
        var vector = TOp.Vectorized && CanVectorize<T>();
        var inner = shape[rank - 1];
        var sa = stridesA[rank - 1];
        var sb = stridesB[rank - 1];
        Span<int> index = stackalloc int[rank];
        int offA = 0, offB = 0;
        // The index of the first row over the outer axes, and where it reads a and b.
        for (int d = rank - 2, r = firstRow; d >= 0; d--)
        {
            index[d] = r % shape[d];
            r /= shape[d];
            offA += index[d] * stridesA[d];
            offB += index[d] * stridesB[d];
        }
        for (var o = firstRow * inner; o < endRow * inner; o += inner)
        {
            var row = dst.Slice(o, inner);
            if (sa == 1 && sb == 1)
            {
                var ra = a.Slice(offA, inner);
                var rb = b.Slice(offB, inner);
                if (vector) Rows<TOp, T>(ra, rb, row, RowKind.Both, default);
                else for (var j = 0; j < row.Length; j++) row[j] = TOp.Apply(ra[j], rb[j]);
            }
            else if (sa == 1 && sb == 0)
            {
                var ra = a.Slice(offA, inner);
                var vb = b[offB];
                if (vector) Rows<TOp, T>(ra, default, row, RowKind.ScalarRight, vb);
                else for (var j = 0; j < row.Length; j++) row[j] = TOp.Apply(ra[j], vb);
            }
            else if (sa == 0 && sb == 1)
            {
                var va = a[offA];
                var rb = b.Slice(offB, inner);
                if (vector) Rows<TOp, T>(default, rb, row, RowKind.ScalarLeft, va);
                else for (var j = 0; j < row.Length; j++) row[j] = TOp.Apply(va, rb[j]);
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
