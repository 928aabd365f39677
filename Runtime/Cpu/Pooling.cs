using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Differentiable.Cpu;

/// <summary>
/// Max and average pooling over (N, C, H, W), window by window; padding never wins a maximum. Each window's range is
/// clamped to the input once (no per-element bounds checks) and image planes run in parallel when the tensor is large
/// (each plane's results, and its gradient adds, stay on one thread, so results do not depend on the core count).
/// </summary>
internal static class Pooling
{
    /// <summary>Elements of x below which pooling stays on the calling thread.</summary>
    private const long ParallelThreshold = 1L << 15;

    /// <summary>Runs body(firstPlane, endPlane) over the N·C planes, split across cores when it pays.</summary>
    private static void ForPlanes(int planes, long elements, Action<int, int> body)
    {
        var threads = Math.Min(CpuParallel.Threads, planes);
        if (threads <= 1 || elements < ParallelThreshold)
        {
            body(0, planes);
            return;
        }
        var parts = Math.Min(planes, 4 * threads);
        CpuParallel.For(parts, t => body((int)((long)planes * t / parts), (int)((long)planes * (t + 1) / parts)));
    }

    /// <summary>
    /// The flat index within one image plane of the first maximum (row-major order; a NaN beats any number) of the
    /// window at (oh, ow); −1 if the window is all padding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int ArgMax<T>(T* plane, int h, int w, int kh, int kw, int stride, int padding, int oh, int ow)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int r0 = oh * stride - padding, c0 = ow * stride - padding;
        int i0 = Math.Max(r0, 0), i1 = Math.Min(r0 + kh, h), j0 = Math.Max(c0, 0), j1 = Math.Min(c0 + kw, w);
        if (i0 >= i1 || j0 >= j1) return -1;
        var best = i0 * w + j0;
        var max = plane[best];
        if (T.IsNaN(max)) return best;
        for (var i = i0; i < i1; i++)
        {
            var row = plane + (nint)i * w;
            for (var j = i == i0 ? j0 + 1 : j0; j < j1; j++)
            {
                var v = row[j];
                if (v > max)
                {
                    best = i * w + j;
                    max = v;
                }
                else if (T.IsNaN(v)) return i * w + j;
            }
        }
        return best;
    }

    /// <summary>One step of the first-maximum scan: v at index `at` replaces the maximum if larger, or if NaN over a number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Consider<T>(T v, int at, ref T max, ref int best) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (v > max || T.IsNaN(v) && !T.IsNaN(max))
        {
            max = v;
            best = at;
        }
    }

    /// <summary>
    /// The 2×2, stride 2, unpadded window (the LeNet/CNN pool) at output (i, j) of one plane: the index of its first
    /// maximum in row-major order, as <see cref="ArgMax{T}"/> finds it, without loops.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int ArgMax2x2<T>(T* plane, int w, int i, int j) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var at = 2 * i * w + 2 * j;
        var best = at;
        var max = plane[at];
        Consider(plane[at + 1], at + 1, ref max, ref best);
        Consider(plane[at + w], at + w, ref max, ref best);
        Consider(plane[at + w + 1], at + w + 1, ref max, ref best);
        return best;
    }

    /// <summary>
    /// Eight 2×2 stride-2 windows of float rows r0 and r1 (columns 2j … 2j+15) at once: their maxima, and which of the four
    /// taps (0: r0[2j], 1: r0[2j+1], 2: r1[2j], 3: r1[2j+1]) is the first maximum, by the scalar rule lane by lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe (Vector256<float> Max, Vector256<int> Tap) Max8Windows(float* r0, float* r1)
    {
        static (Vector256<float> Even, Vector256<float> Odd) Split(float* p)
        {
            var lo = Avx.LoadVector256(p);
            var hi = Avx.LoadVector256(p + 8);
            var even = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
            var odd = Avx2.Permute4x64(Avx.Shuffle(lo, hi, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
            return (even, odd);
        }
        var (a, b) = Split(r0);
        var (c, d) = Split(r1);
        var max = a;
        var tap = Vector256<int>.Zero;
        Step(b, 1, ref max, ref tap);
        Step(c, 2, ref max, ref tap);
        Step(d, 3, ref max, ref tap);
        return (max, tap);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(Vector256<float> v, int at, ref Vector256<float> max, ref Vector256<int> tap)
    {
        var vNaN = ~Vector256.Equals(v, v);
        var maxNaN = ~Vector256.Equals(max, max);
        var take = Vector256.GreaterThan(v, max) | Vector256.AndNot(vNaN, maxNaN);
        max = Vector256.ConditionalSelect(take, v, max);
        tap = Vector256.ConditionalSelect(take.AsInt32(), Vector256.Create(at), tap);
    }

    /// <summary>
    /// Four 2×2 stride-2 windows of float rows r0 and r1 (columns 2j … 2j+7): <see cref="Max8Windows"/> on 128-bit
    /// vectors, for planes only 8 to 15 columns wide (the CNN's second pool).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe (Vector128<float> Max, Vector128<int> Tap) Max4Windows(float* r0, float* r1)
    {
        static (Vector128<float> Even, Vector128<float> Odd) Split(float* p)
        {
            var lo = Sse.LoadVector128(p);
            var hi = Sse.LoadVector128(p + 4);
            return (Sse.Shuffle(lo, hi, 0b10_00_10_00), Sse.Shuffle(lo, hi, 0b11_01_11_01));
        }
        var (a, b) = Split(r0);
        var (c, d) = Split(r1);
        var max = a;
        var tap = Vector128<int>.Zero;
        Step(b, 1, ref max, ref tap);
        Step(c, 2, ref max, ref tap);
        Step(d, 3, ref max, ref tap);
        return (max, tap);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(Vector128<float> v, int at, ref Vector128<float> max, ref Vector128<int> tap)
    {
        var vNaN = ~Vector128.Equals(v, v);
        var maxNaN = ~Vector128.Equals(max, max);
        var take = Vector128.GreaterThan(v, max) | Vector128.AndNot(vNaN, maxNaN);
        max = Vector128.ConditionalSelect(take, v, max);
        tap = Vector128.ConditionalSelect(take.AsInt32(), Vector128.Create(at), tap);
    }

    /// <summary>
    /// The maxima of one row of 2×2 windows (input rows r0 and r0 + w, ow ≥ 4 outputs) into y, eight or four windows at
    /// a time; the last group ends at the row's end and overlaps the one before it, recomputing the same maxima.
    /// </summary>
    private static unsafe void MaxRow2x2(float* r0, int w, float* y, int ow)
    {
        if (ow >= 8)
            for (var j = 0; j < ow; j += 8)
            {
                var at = Math.Min(j, ow - 8);
                Max8Windows(r0 + 2 * at, r0 + w + 2 * at).Max.Store(y + at);
            }
        else
            for (var j = 0; j < ow; j += 4)
            {
                var at = Math.Min(j, ow - 4);
                Max4Windows(r0 + 2 * at, r0 + w + 2 * at).Max.Store(y + at);
            }
    }

    /// <summary>
    /// The gradient of one row of 2×2 windows: each window's upstream value at its first maximum and zeros at its other
    /// three taps, written as whole rows of dx (d0 and d0 + w) with no scatter; groups overlap as in <see cref="MaxRow2x2"/>
    /// (the windows do not overlap, so rewriting one writes the same values).
    /// </summary>
    private static unsafe void GradientRow2x2(float* r0, int w, float* g, int ow, float* d0)
    {
        if (ow >= 8)
            for (var j = 0; j < ow; j += 8)
            {
                var at = Math.Min(j, ow - 8);
                var tap = Max8Windows(r0 + 2 * at, r0 + w + 2 * at).Tap;
                var grad = Avx.LoadVector256(g + at);
                Interleave(Vector256.ConditionalSelect(Vector256.Equals(tap, Vector256<int>.Zero).AsSingle(), grad, default),
                    Vector256.ConditionalSelect(Vector256.Equals(tap, Vector256.Create(1)).AsSingle(), grad, default), d0 + 2 * at);
                Interleave(Vector256.ConditionalSelect(Vector256.Equals(tap, Vector256.Create(2)).AsSingle(), grad, default),
                    Vector256.ConditionalSelect(Vector256.Equals(tap, Vector256.Create(3)).AsSingle(), grad, default), d0 + w + 2 * at);
            }
        else
            for (var j = 0; j < ow; j += 4)
            {
                var at = Math.Min(j, ow - 4);
                var tap = Max4Windows(r0 + 2 * at, r0 + w + 2 * at).Tap;
                var grad = Sse.LoadVector128(g + at);
                Interleave(Vector128.ConditionalSelect(Vector128.Equals(tap, Vector128<int>.Zero).AsSingle(), grad, default),
                    Vector128.ConditionalSelect(Vector128.Equals(tap, Vector128.Create(1)).AsSingle(), grad, default), d0 + 2 * at);
                Interleave(Vector128.ConditionalSelect(Vector128.Equals(tap, Vector128.Create(2)).AsSingle(), grad, default),
                    Vector128.ConditionalSelect(Vector128.Equals(tap, Vector128.Create(3)).AsSingle(), grad, default), d0 + w + 2 * at);
            }
    }

    /// <summary>to[0..16) = even[0], odd[0], even[1], odd[1], …: two rows of window taps back into one image row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Interleave(Vector256<float> even, Vector256<float> odd, float* to)
    {
        var lo = Avx.UnpackLow(even, odd);    // e0 o0 e1 o1 | e4 o4 e5 o5
        var hi = Avx.UnpackHigh(even, odd);   // e2 o2 e3 o3 | e6 o6 e7 o7
        Avx.Store(to, Avx.Permute2x128(lo, hi, 0x20));
        Avx.Store(to + 8, Avx.Permute2x128(lo, hi, 0x31));
    }

    /// <summary>to[0..8) = even[0], odd[0], …, even[3], odd[3].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Interleave(Vector128<float> even, Vector128<float> odd, float* to)
    {
        Sse.Store(to, Sse.UnpackLow(even, odd));
        Sse.Store(to + 4, Sse.UnpackHigh(even, odd));
    }

    private static bool CanVectorize2x2<T>() => typeof(T) == typeof(float) && Avx2.IsSupported;

    private static bool Is2x2(Window g) => g.KH == 2 && g.KW == 2 && g.Stride == 2 && g.Padding == 0;

    public static unsafe void MaxForward<T>(ReadOnlySpan<T> x, Span<T> y, Window g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.H, w = g.W, kh = g.KH, kw = g.KW, s = g.Stride, p = g.Padding, oh = g.OH, ow = g.OW, hw = h * w, positions = oh * ow;
        var fast = Is2x2(g);
        var vectorRows = CanVectorize2x2<T>() && ow >= 4;
        fixed (T* px = x, py = y)
        {
            nint ax = (nint)px, ay = (nint)py;
            ForPlanes(g.N * g.C, (long)g.N * g.C * hw, (p0, p1) =>
            {
                for (var plane = p0; plane < p1; plane++)
                {
                    var src = (T*)ax + (nint)plane * hw;
                    var dst = (T*)ay + (nint)plane * positions;
                    if (fast && vectorRows)
                    {
                        for (var i = 0; i < oh; i++) MaxRow2x2((float*)src + 2 * i * w, w, (float*)dst + i * ow, ow);
                        continue;
                    }
                    if (fast)
                    {
                        for (var i = 0; i < oh; i++)
                            for (var j = 0; j < ow; j++) dst[i * ow + j] = src[ArgMax2x2(src, w, i, j)];
                        continue;
                    }
                    for (var i = 0; i < oh; i++)
                        for (var j = 0; j < ow; j++)
                        {
                            var at = ArgMax(src, h, w, kh, kw, s, p, i, j);
                            dst[i * ow + j] = at < 0 ? T.NegativeInfinity : src[at];
                        }
                }
            });
        }
    }

    /// <summary>dx: each window's upstream gradient added at the position of its first maximum.</summary>
    public static unsafe void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, Span<T> dx, Window g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int h = g.H, w = g.W, kh = g.KH, kw = g.KW, s = g.Stride, p = g.Padding, oh = g.OH, ow = g.OW, hw = h * w, positions = oh * ow;
        var fast = Is2x2(g);
        var vectorRows = CanVectorize2x2<T>() && ow >= 4;
        fixed (T* pdy = dy, px = x, pdx = dx)
        {
            nint ady = (nint)pdy, ax = (nint)px, adx = (nint)pdx;
            ForPlanes(g.N * g.C, (long)g.N * g.C * hw, (p0, p1) =>
            {
                // The vector rows write every element of the windows' rows, zeros included; only what no window covers
                // (an odd last row or column) and the other paths need the gradient cleared first.
                if (!(fast && vectorRows && h % 2 == 0 && w % 2 == 0)) new Span<T>((T*)adx + (nint)p0 * hw, (p1 - p0) * hw).Clear();
                for (var plane = p0; plane < p1; plane++)
                {
                    var src = (T*)ax + (nint)plane * hw;
                    var grad = (T*)ady + (nint)plane * positions;
                    var dst = (T*)adx + (nint)plane * hw;
                    if (fast && vectorRows)
                    {
                        for (var i = 0; i < oh; i++)
                            GradientRow2x2((float*)src + 2 * i * w, w, (float*)grad + i * ow, ow, (float*)dst + 2 * i * w);
                        continue;
                    }
                    if (fast)
                    {
                        for (var i = 0; i < oh; i++)
                            for (var j = 0; j < ow; j++) dst[ArgMax2x2(src, w, i, j)] = grad[i * ow + j];
                        continue;
                    }
                    for (var i = 0; i < oh; i++)
                        for (var j = 0; j < ow; j++)
                        {
                            var at = ArgMax(src, h, w, kh, kw, s, p, i, j);
                            if (at >= 0) dst[at] += grad[i * ow + j];
                        }
                }
            });
        }
    }

    /// <summary>Window means with padding counted as zeros (torch's count_include_pad=True): every window divides by kH·kW.</summary>
    public static void AvgForward<T>(ReadOnlySpan<T> x, Span<T> y, Window g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var scale = T.One / T.CreateChecked(g.KH * g.KW);
        for (var plane = 0; plane < g.N * g.C; plane++)
        {
            var src = x.Slice(plane * g.H * g.W, g.H * g.W);
            var dst = y.Slice(plane * g.Positions, g.Positions);
            for (var oh = 0; oh < g.OH; oh++)
                for (var ow = 0; ow < g.OW; ow++)
                {
                    var sum = T.Zero;
                    for (var i = 0; i < g.KH; i++)
                    {
                        var ih = oh * g.Stride - g.Padding + i;
                        if ((uint)ih >= (uint)g.H) continue;
                        for (var j = 0; j < g.KW; j++)
                        {
                            var iw = ow * g.Stride - g.Padding + j;
                            if ((uint)iw < (uint)g.W) sum += src[ih * g.W + iw];
                        }
                    }
                    dst[oh * g.OW + ow] = sum * scale;
                }
        }
    }

    /// <summary>dx: each window's upstream gradient spread evenly (÷ kH·kW) over the input positions it covers.</summary>
    public static void AvgBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, Window g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx.Clear();
        var scale = T.One / T.CreateChecked(g.KH * g.KW);
        for (var plane = 0; plane < g.N * g.C; plane++)
        {
            var grad = dy.Slice(plane * g.Positions, g.Positions);
            var dst = dx.Slice(plane * g.H * g.W, g.H * g.W);
            for (var oh = 0; oh < g.OH; oh++)
                for (var ow = 0; ow < g.OW; ow++)
                {
                    var share = grad[oh * g.OW + ow] * scale;
                    for (var i = 0; i < g.KH; i++)
                    {
                        var ih = oh * g.Stride - g.Padding + i;
                        if ((uint)ih >= (uint)g.H) continue;
                        for (var j = 0; j < g.KW; j++)
                        {
                            var iw = ow * g.Stride - g.Padding + j;
                            if ((uint)iw < (uint)g.W) dst[ih * g.W + iw] += share;
                        }
                    }
                }
        }
    }
}
