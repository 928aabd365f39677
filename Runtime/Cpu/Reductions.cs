using System.Numerics;
using System.Runtime.Intrinsics;

namespace Differentiable.Cpu;

/// <summary>
/// Reductions along one axis. The input is viewed as (outer, n, inner) with the reduced axis in the middle and the
/// output as (outer, inner); a reduction over all elements is outer = inner = 1.
/// </summary>
internal static class Reductions
{
    public static void Sum<T>(ReadOnlySpan<T> x, Span<T> dst, int outer, int n, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            for (var o = 0; o < outer; o++) dst[o] = PairwiseSum(x.Slice(o * n, n));
            return;
        }
        dst.Clear();
        for (var o = 0; o < outer; o++)
        {
            var acc = dst.Slice(o * inner, inner);
            for (var k = 0; k < n; k++)
            {
                Elementwise.AddInPlace(acc, x.Slice((o * n + k) * inner, inner));
            }
        }
    }

    /// <summary>
    /// The sum of a contiguous run with four vector accumulators (then the lanes, then the tail): a scalar loop is one
    /// long chain of dependent adds, about a tenth as fast; the rounding error, like pairwise summation's, grows slower
    /// than a single running sum's because each accumulator sees a quarter of a lane's share. 256-bit vectors: the runs
    /// summed here (a bias gradient's image planes) are a few hundred elements, where wider vectors gain nothing.
    /// </summary>
    public static T VectorSum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var start = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(x);
        var n = x.Length;
        var i = 0;
        var total = T.Zero;
        var w = Vector256<T>.Count;
        if (Vector256.IsHardwareAccelerated && n >= 4 * w)
        {
            Vector256<T> a0 = Vector256<T>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (; i <= n - 4 * w; i += 4 * w)
            {
                a0 += Vector256.LoadUnsafe(ref start, (nuint)i);
                a1 += Vector256.LoadUnsafe(ref start, (nuint)(i + w));
                a2 += Vector256.LoadUnsafe(ref start, (nuint)(i + 2 * w));
                a3 += Vector256.LoadUnsafe(ref start, (nuint)(i + 3 * w));
            }
            for (; i <= n - w; i += w) a0 += Vector256.LoadUnsafe(ref start, (nuint)i);
            total = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        for (; i < n; i++) total += x[i];
        return total;
    }

    /// <summary>Pairwise summation: the rounding error grows with log n instead of n, which matters for float32 means.</summary>
    public static T PairwiseSum<T>(ReadOnlySpan<T> x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length <= 128)
        {
            var s = T.Zero;
            for (var i = 0; i < x.Length; i++) s += x[i];
            return s;
        }
        var half = x.Length / 2;
        return PairwiseSum(x[..half]) + PairwiseSum(x[half..]);
    }

    /// <summary>n must be positive; NaN propagates, as in torch.amax.</summary>
    public static void Max<T>(ReadOnlySpan<T> x, Span<T> dst, int outer, int n, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var o = 0; o < outer; o++)
        {
            var acc = dst.Slice(o * inner, inner);
            x.Slice(o * n * inner, inner).CopyTo(acc);
            for (var k = 1; k < n; k++)
            {
                var row = x.Slice((o * n + k) * inner, inner);
                for (var i = 0; i < inner; i++) acc[i] = T.Max(acc[i], row[i]);
            }
        }
    }

    /// <summary>Index of the first maximum of each slice, written as a number of type T; n must be positive.</summary>
    public static void ArgMax<T>(ReadOnlySpan<T> x, Span<T> dst, int outer, int n, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var o = 0; o < outer; o++)
        for (var i = 0; i < inner; i++)
        {
            var best = x[o * n * inner + i];
            var at = 0;
            for (var k = 1; k < n; k++)
            {
                var v = x[(o * n + k) * inner + i];
                if (v > best)
                {
                    best = v;
                    at = k;
                }
            }
            dst[o * inner + i] = T.CreateTruncating(at);
        }
    }

    /// <summary>log Σ exp, shifted by the slice maximum so that large inputs neither overflow nor lose precision.</summary>
    public static void LogSumExp<T>(ReadOnlySpan<T> x, Span<T> dst, int outer, int n, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var o = 0; o < outer; o++)
        for (var i = 0; i < inner; i++)
        {
            var m = SliceMax(x, o, n, inner, i);
            dst[o * inner + i] = m + T.Log(SumExpShifted(x, o, n, inner, i, m));
        }
    }

    /// <summary>
    /// log-softmax as exactly x − LogSumExp(x) (and softmax as its exp), rounding for rounding what the generator's
    /// expansion LogSoftmax = x − LogSumExp(x, keepDims) computes, so eager and generated forward values agree bit for bit.
    /// dst has x's shape.
    /// </summary>
    public static void Softmax<T>(ReadOnlySpan<T> x, Span<T> dst, int outer, int n, int inner, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var o = 0; o < outer; o++)
        for (var i = 0; i < inner; i++)
        {
            var m = SliceMax(x, o, n, inner, i);
            var lse = m + T.Log(SumExpShifted(x, o, n, inner, i, m));
            for (var k = 0; k < n; k++)
            {
                var at = (o * n + k) * inner + i;
                dst[at] = x[at] - lse;
            }
        }
        // Softmax as Exp(LogSoftmax) through the very kernel Ops.Exp uses, so the two agree bit for bit.
        if (log) return;
        if (typeof(T) == typeof(float))
        {
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(dst);
            Exponentials.Exp(values, values);
        }
        else Elementwise.Unary<ExpOp, T>(dst, dst);
    }

    /// <summary>
    /// For each slice of x, 1/k at the k positions equal to that slice's maximum (read from max, shaped (outer, inner)),
    /// 0 elsewhere: the gradient of amax, split evenly among ties.
    /// </summary>
    public static void MaxMask<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> max, Span<T> dst, int outer, int n, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var o = 0; o < outer; o++)
        for (var i = 0; i < inner; i++)
        {
            var m = max[o * inner + i];
            var count = 0;
            for (var k = 0; k < n; k++)
                if (x[(o * n + k) * inner + i] == m) count++;
            var share = count == 0 ? T.Zero : T.One / T.CreateTruncating(count);
            for (var k = 0; k < n; k++)
            {
                var at = (o * n + k) * inner + i;
                dst[at] = x[at] == m ? share : T.Zero;
            }
        }
    }

    /// <summary>dst (outer, n, inner) = src (outer, inner) repeated along the middle axis.</summary>
    public static void ExpandAxis<T>(ReadOnlySpan<T> src, Span<T> dst, int outer, int n, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var o = 0; o < outer; o++)
        {
            var row = src.Slice(o * inner, inner);
            for (var k = 0; k < n; k++) row.CopyTo(dst.Slice((o * n + k) * inner, inner));
        }
    }

    private static T SliceMax<T>(ReadOnlySpan<T> x, int o, int n, int inner, int i) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = T.NegativeInfinity;
        for (var k = 0; k < n; k++) m = T.Max(m, x[(o * n + k) * inner + i]);
        return m;
    }

    private static T SumExpShifted<T>(ReadOnlySpan<T> x, int o, int n, int inner, int i, T m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = T.Zero;
        for (var k = 0; k < n; k++) s += T.Exp(ShiftedValue(x[(o * n + k) * inner + i], m));
        return s;
    }

    /// <summary>
    /// x − max, except that an infinite max is not subtracted: ∞ − ∞ would turn an all −∞ slice (log of zeros) or a
    /// +∞ entry into NaN, where the limits are −∞ and +∞.
    /// </summary>
    private static T ShiftedValue<T>(T v, T m) where T : unmanaged, IFloatingPointIeee754<T> => T.IsInfinity(m) ? v : v - m;
}
