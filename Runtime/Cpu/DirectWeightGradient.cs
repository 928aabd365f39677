using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Differentiable.Cpu;

/// <summary>
/// The weight gradient of a stride-1 convolution without a patch matrix: dw[f, c, i, j] = Σₙ Σ_oh Σ_ow dy[n, f, oh, ow] ·
/// x[n, c, oh − p + i, ow − p + j], the sum over (oh, ow) taken a vector of output columns at a time. Row oh of dy[n, f]
/// and the input row oh − p + i read from column j on are both contiguous, so each multiply-add reads one vector of each
/// (up to eight taps j at once share the dy vector, each tap its own accumulator) and nothing is copied. The im2row +
/// GEMM route spends most of its time building the patch rows (runs of kW elements) and on ragged tiles when F and
/// C·kH·kW are small, as in the samples' CNNs (conv1 of the MNIST net: F = 10, C·kH·kW = 25). Padding is applied by
/// copying the group's images into a zero-bordered buffer first.
/// </summary>
internal static unsafe class DirectWeightGradient
{
    /// <summary>True when this kernel serves the window: stride 1, and output rows at least a vector wide.</summary>
    public static bool Serves<T>(Window g) where T : unmanaged => g.Stride == 1 && DirectCorrelation.Serves<T>(g.OW);

    /// <summary>Elements of scratch <see cref="Run{T}"/> needs for a group of <paramref name="images"/> images.</summary>
    public static int PaddedLength(Window g, int images) =>
        PaddedPlanes.ScratchLength(images * g.C, g.H, g.W, g.Padding, g.Padding);

    /// <summary>
    /// dw (F, C, kH, kW) = the weight gradient over images [n0, n1) only (assigned, not added); <paramref name="padded"/>
    /// holds <see cref="PaddedLength"/> elements of scratch.
    /// </summary>
    public static void Run<T>(T* dy, T* x, T* dw, Window g, int f, int n0, int n1, T* padded) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var planes = PaddedPlanes<T>.Of(x + (nint)n0 * g.C * g.H * g.W, (n1 - n0) * g.C, g.H, g.W, g.Padding, g.Padding, padded);
        T* xs = planes.First;
        int rowStride = planes.RowStride, planeStride = planes.PlaneStride;
        int oh = g.OH, ow = g.OW, yImage = f * oh * ow;
        var sums = stackalloc T[32];
        // Output channels in blocks of four (then two, then one): their dy rows differ, but the input vectors each tap
        // reads are the same, so each input load feeds a multiply-add per channel. With 5 taps a block of four loads
        // 9 vectors per 20 multiply-adds, a pair 7 per 10, one channel 6 per 5: the single-channel kernel was bound by
        // loads, at about a quarter of the machine's multiply-add rate. Blocks of four take at most 5 taps at a time
        // (20 accumulators fit the registers), the others 8. Each (channel, tap) sum still adds the same terms in the
        // same order, so the result is the same bit for bit.
        var images = n1 - n0;
        var sImage = g.C * planeStride;
        var channelStride = (nint)g.C * g.KH * g.KW;
        for (var fo = 0; fo < f;)
        {
            var block = f - fo >= 4 ? 4 : f - fo >= 2 ? 2 : 1;
            var chunk = block == 4 ? 5 : 8;
            for (var c = 0; c < g.C; c++)
                for (var i = 0; i < g.KH; i++)
                    for (var j0 = 0; j0 < g.KW; j0 += chunk)
                    {
                        var taps = Math.Min(chunk, g.KW - j0);
                        T* d = dy + (nint)n0 * yImage + (nint)fo * oh * ow, s = xs + (nint)c * planeStride + (nint)i * rowStride + j0;
                        switch (block, taps)
                        {
                            case (4, 1): QuadTaps<T, One>(d, oh * ow, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (4, 2): QuadTaps<T, Two>(d, oh * ow, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (4, 3): QuadTaps<T, Three>(d, oh * ow, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (4, 4): QuadTaps<T, Four>(d, oh * ow, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (4, _): QuadTaps<T, Five>(d, oh * ow, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (2, 1): PairTaps<T, One>(d, oh * ow, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (2, 2): PairTaps<T, Two>(d, oh * ow, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (2, 3): PairTaps<T, Three>(d, oh * ow, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (2, 4): PairTaps<T, Four>(d, oh * ow, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (2, 5): PairTaps<T, Five>(d, oh * ow, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (2, 6): PairTaps<T, Six>(d, oh * ow, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (2, 7): PairTaps<T, Seven>(d, oh * ow, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (2, _): PairTaps<T, Eight>(d, oh * ow, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (_, 1): Taps<T, One>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (_, 2): Taps<T, Two>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (_, 3): Taps<T, Three>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (_, 4): Taps<T, Four>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (_, 5): Taps<T, Five>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (_, 6): Taps<T, Six>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case (_, 7): Taps<T, Seven>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            default: Taps<T, Eight>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                        }
                        var w = dw + (((nint)fo * g.C + c) * g.KH + i) * g.KW + j0;
                        for (var k = 0; k < block; k++)
                            for (var t = 0; t < taps; t++) w[k * channelStride + t] = sums[8 * k + t];
                    }
            fo += block;
        }
    }

    /// <summary>
    /// sums[t] for t &lt; TCount.N: Σ over images, rows and columns of d[row][col] · s[row][col + t], where d advances
    /// <paramref name="ow"/> per row and <paramref name="dImage"/> per image, s <paramref name="sRow"/> per row and
    /// <paramref name="sImage"/> per image. One accumulator per tap, so a row of one vector still feeds TCount
    /// independent multiply-add chains (one chain would wait on the multiply-add latency at every row).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Taps<T, TCount>(T* d, int dImage, T* s, int sImage, int sRow, int images, int rows, int ow, T* sums)
        where T : unmanaged, IFloatingPointIeee754<T> where TCount : struct, ICount
    {
        var width = Vector256<T>.Count;
        Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        T t0 = T.Zero, t1 = T.Zero, t2 = T.Zero, t3 = T.Zero, t4 = T.Zero, t5 = T.Zero, t6 = T.Zero, t7 = T.Zero;
        for (var n = 0; n < images; n++)
        {
            T* dr = d + (nint)n * dImage, sr = s + (nint)n * sImage;
            for (var r = 0; r < rows; r++, dr += ow, sr += sRow)
            {
                var v = 0;
                for (; v + width <= ow; v += width)
                {
                    var dv = Vector256.Load(dr + v);
                    var x = sr + v;
                    a0 = Fused.MultiplyAdd(dv, Vector256.Load(x), a0);
                    if (TCount.N > 1) a1 = Fused.MultiplyAdd(dv, Vector256.Load(x + 1), a1);
                    if (TCount.N > 2) a2 = Fused.MultiplyAdd(dv, Vector256.Load(x + 2), a2);
                    if (TCount.N > 3) a3 = Fused.MultiplyAdd(dv, Vector256.Load(x + 3), a3);
                    if (TCount.N > 4) a4 = Fused.MultiplyAdd(dv, Vector256.Load(x + 4), a4);
                    if (TCount.N > 5) a5 = Fused.MultiplyAdd(dv, Vector256.Load(x + 5), a5);
                    if (TCount.N > 6) a6 = Fused.MultiplyAdd(dv, Vector256.Load(x + 6), a6);
                    if (TCount.N > 7) a7 = Fused.MultiplyAdd(dv, Vector256.Load(x + 7), a7);
                }
                for (; v < ow; v++)
                {
                    var dv = dr[v];
                    var x = sr + v;
                    t0 += dv * x[0];
                    if (TCount.N > 1) t1 += dv * x[1];
                    if (TCount.N > 2) t2 += dv * x[2];
                    if (TCount.N > 3) t3 += dv * x[3];
                    if (TCount.N > 4) t4 += dv * x[4];
                    if (TCount.N > 5) t5 += dv * x[5];
                    if (TCount.N > 6) t6 += dv * x[6];
                    if (TCount.N > 7) t7 += dv * x[7];
                }
            }
        }
        sums[0] = Vector256.Sum(a0) + t0;
        if (TCount.N > 1) sums[1] = Vector256.Sum(a1) + t1;
        if (TCount.N > 2) sums[2] = Vector256.Sum(a2) + t2;
        if (TCount.N > 3) sums[3] = Vector256.Sum(a3) + t3;
        if (TCount.N > 4) sums[4] = Vector256.Sum(a4) + t4;
        if (TCount.N > 5) sums[5] = Vector256.Sum(a5) + t5;
        if (TCount.N > 6) sums[6] = Vector256.Sum(a6) + t6;
        if (TCount.N > 7) sums[7] = Vector256.Sum(a7) + t7;
    }

    /// <summary>
    /// <see cref="Taps{T, TCount}"/> for two output channels at once, whose dy rows are <paramref name="dChannel"/>
    /// apart: sums[t] for the first, sums[8 + t] for the second, each input vector loaded once for both.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PairTaps<T, TCount>(T* d, int dChannel, int dImage, T* s, int sImage, int sRow, int images, int rows, int ow, T* sums)
        where T : unmanaged, IFloatingPointIeee754<T> where TCount : struct, ICount
    {
        var width = Vector256<T>.Count;
        Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector256<T> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        var vectorEnd = ow / width * width;
        for (var n = 0; n < images; n++)
        {
            T* dr = d + (nint)n * dImage, sr = s + (nint)n * sImage;
            for (var r = 0; r < rows; r++, dr += ow, sr += sRow)
            {
                for (var v = 0; v < vectorEnd; v += width)
                {
                    var dv = Vector256.Load(dr + v);
                    var ev = Vector256.Load(dr + dChannel + v);
                    var x = sr + v;
                    var x0 = Vector256.Load(x);
                    a0 = Fused.MultiplyAdd(dv, x0, a0);
                    b0 = Fused.MultiplyAdd(ev, x0, b0);
                    if (TCount.N > 1) { var x1 = Vector256.Load(x + 1); a1 = Fused.MultiplyAdd(dv, x1, a1); b1 = Fused.MultiplyAdd(ev, x1, b1); }
                    if (TCount.N > 2) { var x2 = Vector256.Load(x + 2); a2 = Fused.MultiplyAdd(dv, x2, a2); b2 = Fused.MultiplyAdd(ev, x2, b2); }
                    if (TCount.N > 3) { var x3 = Vector256.Load(x + 3); a3 = Fused.MultiplyAdd(dv, x3, a3); b3 = Fused.MultiplyAdd(ev, x3, b3); }
                    if (TCount.N > 4) { var x4 = Vector256.Load(x + 4); a4 = Fused.MultiplyAdd(dv, x4, a4); b4 = Fused.MultiplyAdd(ev, x4, b4); }
                    if (TCount.N > 5) { var x5 = Vector256.Load(x + 5); a5 = Fused.MultiplyAdd(dv, x5, a5); b5 = Fused.MultiplyAdd(ev, x5, b5); }
                    if (TCount.N > 6) { var x6 = Vector256.Load(x + 6); a6 = Fused.MultiplyAdd(dv, x6, a6); b6 = Fused.MultiplyAdd(ev, x6, b6); }
                    if (TCount.N > 7) { var x7 = Vector256.Load(x + 7); a7 = Fused.MultiplyAdd(dv, x7, a7); b7 = Fused.MultiplyAdd(ev, x7, b7); }
                }
            }
        }
        sums[0] = Vector256.Sum(a0); sums[8] = Vector256.Sum(b0);
        if (TCount.N > 1) { sums[1] = Vector256.Sum(a1); sums[9] = Vector256.Sum(b1); }
        if (TCount.N > 2) { sums[2] = Vector256.Sum(a2); sums[10] = Vector256.Sum(b2); }
        if (TCount.N > 3) { sums[3] = Vector256.Sum(a3); sums[11] = Vector256.Sum(b3); }
        if (TCount.N > 4) { sums[4] = Vector256.Sum(a4); sums[12] = Vector256.Sum(b4); }
        if (TCount.N > 5) { sums[5] = Vector256.Sum(a5); sums[13] = Vector256.Sum(b5); }
        if (TCount.N > 6) { sums[6] = Vector256.Sum(a6); sums[14] = Vector256.Sum(b6); }
        if (TCount.N > 7) { sums[7] = Vector256.Sum(a7); sums[15] = Vector256.Sum(b7); }
        if (vectorEnd < ow) AddTails<T, TCount>(d, dChannel, 2, dImage, s, sImage, sRow, images, rows, ow, vectorEnd, sums);
    }

    /// <summary>
    /// <see cref="Taps{T, TCount}"/> for four output channels at once (at most five taps), whose dy rows are
    /// <paramref name="dChannel"/> apart: sums[8k + t] for channel k, each input vector loaded once for all four.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void QuadTaps<T, TCount>(T* d, int dChannel, int dImage, T* s, int sImage, int sRow, int images, int rows, int ow, T* sums)
        where T : unmanaged, IFloatingPointIeee754<T> where TCount : struct, ICount
    {
        var width = Vector256<T>.Count;
        Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default;
        Vector256<T> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default;
        Vector256<T> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default;
        Vector256<T> e0 = default, e1 = default, e2 = default, e3 = default, e4 = default;
        var vectorEnd = ow / width * width;
        for (var n = 0; n < images; n++)
        {
            T* dr = d + (nint)n * dImage, sr = s + (nint)n * sImage;
            for (var r = 0; r < rows; r++, dr += ow, sr += sRow)
            {
                for (var v = 0; v < vectorEnd; v += width)
                {
                    var da = Vector256.Load(dr + v);
                    var db = Vector256.Load(dr + dChannel + v);
                    var dc = Vector256.Load(dr + 2 * dChannel + v);
                    var de = Vector256.Load(dr + 3 * dChannel + v);
                    var x = sr + v;
                    var x0 = Vector256.Load(x);
                    a0 = Fused.MultiplyAdd(da, x0, a0); b0 = Fused.MultiplyAdd(db, x0, b0); c0 = Fused.MultiplyAdd(dc, x0, c0); e0 = Fused.MultiplyAdd(de, x0, e0);
                    if (TCount.N > 1) { var x1 = Vector256.Load(x + 1); a1 = Fused.MultiplyAdd(da, x1, a1); b1 = Fused.MultiplyAdd(db, x1, b1); c1 = Fused.MultiplyAdd(dc, x1, c1); e1 = Fused.MultiplyAdd(de, x1, e1); }
                    if (TCount.N > 2) { var x2 = Vector256.Load(x + 2); a2 = Fused.MultiplyAdd(da, x2, a2); b2 = Fused.MultiplyAdd(db, x2, b2); c2 = Fused.MultiplyAdd(dc, x2, c2); e2 = Fused.MultiplyAdd(de, x2, e2); }
                    if (TCount.N > 3) { var x3 = Vector256.Load(x + 3); a3 = Fused.MultiplyAdd(da, x3, a3); b3 = Fused.MultiplyAdd(db, x3, b3); c3 = Fused.MultiplyAdd(dc, x3, c3); e3 = Fused.MultiplyAdd(de, x3, e3); }
                    if (TCount.N > 4) { var x4 = Vector256.Load(x + 4); a4 = Fused.MultiplyAdd(da, x4, a4); b4 = Fused.MultiplyAdd(db, x4, b4); c4 = Fused.MultiplyAdd(dc, x4, c4); e4 = Fused.MultiplyAdd(de, x4, e4); }
                }
            }
        }
        sums[0] = Vector256.Sum(a0); sums[8] = Vector256.Sum(b0); sums[16] = Vector256.Sum(c0); sums[24] = Vector256.Sum(e0);
        if (TCount.N > 1) { sums[1] = Vector256.Sum(a1); sums[9] = Vector256.Sum(b1); sums[17] = Vector256.Sum(c1); sums[25] = Vector256.Sum(e1); }
        if (TCount.N > 2) { sums[2] = Vector256.Sum(a2); sums[10] = Vector256.Sum(b2); sums[18] = Vector256.Sum(c2); sums[26] = Vector256.Sum(e2); }
        if (TCount.N > 3) { sums[3] = Vector256.Sum(a3); sums[11] = Vector256.Sum(b3); sums[19] = Vector256.Sum(c3); sums[27] = Vector256.Sum(e3); }
        if (TCount.N > 4) { sums[4] = Vector256.Sum(a4); sums[12] = Vector256.Sum(b4); sums[20] = Vector256.Sum(c4); sums[28] = Vector256.Sum(e4); }
        if (vectorEnd < ow) AddTails<T, TCount>(d, dChannel, 4, dImage, s, sImage, sRow, images, rows, ow, vectorEnd, sums);
    }

    /// <summary>
    /// The columns past the last whole vector, one at a time, for <paramref name="channels"/> channels: added to
    /// sums[8k + t] after the vector sums, as <see cref="Taps{T, TCount}"/> adds its scalar sums.
    /// </summary>
    private static void AddTails<T, TCount>(T* d, int dChannel, int channels, int dImage, T* s, int sImage, int sRow, int images, int rows, int ow, int vectorEnd, T* sums)
        where T : unmanaged, IFloatingPointIeee754<T> where TCount : struct, ICount
    {
        var tails = stackalloc T[8];
        for (var k = 0; k < channels; k++)
        {
            for (var t = 0; t < TCount.N; t++) tails[t] = T.Zero;
            for (var n = 0; n < images; n++)
            {
                T* dr = d + (nint)k * dChannel + (nint)n * dImage, sr = s + (nint)n * sImage;
                for (var r = 0; r < rows; r++, dr += ow, sr += sRow)
                    for (var v = vectorEnd; v < ow; v++)
                        for (var t = 0; t < TCount.N; t++) tails[t] += dr[v] * sr[v + t];
            }
            for (var t = 0; t < TCount.N; t++) sums[8 * k + t] += tails[t];
        }
    }

}
