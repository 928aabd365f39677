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
        var sums = stackalloc T[8];
        for (var fo = 0; fo < f; fo++)
            for (var c = 0; c < g.C; c++)
                for (var i = 0; i < g.KH; i++)
                    for (var j0 = 0; j0 < g.KW; j0 += 8)
                    {
                        var taps = Math.Min(8, g.KW - j0);
                        T* d = dy + (nint)n0 * yImage + (nint)fo * oh * ow, s = xs + (nint)c * planeStride + (nint)i * rowStride + j0;
                        var images = n1 - n0;
                        var sImage = g.C * planeStride;
                        switch (taps)
                        {
                            case 1: Taps<T, One>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case 2: Taps<T, Two>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case 3: Taps<T, Three>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case 4: Taps<T, Four>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case 5: Taps<T, Five>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case 6: Taps<T, Six>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            case 7: Taps<T, Seven>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                            default: Taps<T, Eight>(d, yImage, s, sImage, rowStride, images, oh, ow, sums); break;
                        }
                        var w = dw + (((nint)fo * g.C + c) * g.KH + i) * g.KW + j0;
                        for (var t = 0; t < taps; t++) w[t] = sums[t];
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

}
