using System.Numerics;

namespace Differentiable.Cpu;

/// <summary>The geometry of a 2-D convolution or pooling window over an (N, C, H, W) input.</summary>
internal readonly record struct Window(int N, int C, int H, int W, int KH, int KW, int Stride, int Padding)
{
    public int OH => (H + 2 * Padding - KH) / Stride + 1;
    public int OW => (W + 2 * Padding - KW) / Stride + 1;

    /// <summary>Output positions per image.</summary>
    public int Positions => OH * OW;

    /// <summary>Rows of the im2col matrix: one per (channel, kernel row, kernel column).</summary>
    public int Patch => C * KH * KW;
}

/// <summary>
/// Convolution image by image: each image's patch matrix (im2col, or im2row for the weight gradient) is built in a
/// small per-thread buffer that stays in cache and multiplied by the single-threaded SIMD GEMM
/// (<see cref="Gemm.MatMulSerial{T}"/>) straight into or out of the NCHW tensors, with groups of images on all cores.
/// </summary>
internal static class Convolution
{
    /// <summary>col[(c, i, j), (n, oh, ow)] = x[n, c, oh·s − p + i, ow·s − p + j], zero outside the input.</summary>
    public static unsafe void Im2Col<T>(T* x, T* col, Window g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = g.N * g.Positions;
        for (var c = 0; c < g.C; c++)
            for (var i = 0; i < g.KH; i++)
                for (var j = 0; j < g.KW; j++)
                {
                    var row = col + (nint)((c * g.KH + i) * g.KW + j) * p;
                    var (lo, hi) = Runs.Inside(g.OW, g.W, g.Stride, g.Padding, j);
                    for (var n = 0; n < g.N; n++)
                    {
                        var image = x + (nint)(n * g.C + c) * g.H * g.W;
                        for (var oh = 0; oh < g.OH; oh++)
                        {
                            var dst = row + (nint)n * g.Positions + oh * g.OW;
                            var ih = oh * g.Stride - g.Padding + i;
                            if ((uint)ih >= (uint)g.H)
                            {
                                Runs.Clear(dst, g.OW);
                                continue;
                            }
                            var src = image + (nint)ih * g.W - g.Padding + j;   // src[ow·s] is the element output column ow reads
                            Runs.Clear(dst, lo);
                            if (g.Stride == 1) Runs.Copy(src + lo, dst + lo, hi - lo);
                            else for (var ow = lo; ow < hi; ow++) dst[ow] = src[ow * g.Stride];
                            Runs.Clear(dst + hi, g.OW - hi);
                        }
                    }
                }
    }

    /// <summary>The adjoint of <see cref="Im2Col{T}"/>: adds every column entry back to the input element it was read from.</summary>
    public static unsafe void Col2Im<T>(T* col, T* dx, Window g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Runs.Clear(dx, g.N * g.C * g.H * g.W);
        var p = g.N * g.Positions;
        for (var c = 0; c < g.C; c++)
            for (var i = 0; i < g.KH; i++)
                for (var j = 0; j < g.KW; j++)
                {
                    var row = col + (nint)((c * g.KH + i) * g.KW + j) * p;
                    var (lo, hi) = Runs.Inside(g.OW, g.W, g.Stride, g.Padding, j);
                    for (var n = 0; n < g.N; n++)
                    {
                        var image = dx + (nint)(n * g.C + c) * g.H * g.W;
                        for (var oh = 0; oh < g.OH; oh++)
                        {
                            var ih = oh * g.Stride - g.Padding + i;
                            if ((uint)ih >= (uint)g.H) continue;
                            var src = row + (nint)n * g.Positions + oh * g.OW;
                            var dst = image + (nint)ih * g.W - g.Padding + j;
                            if (g.Stride == 1) Runs.Add(src + lo, dst + lo, hi - lo);
                            else for (var ow = lo; ow < hi; ow++) dst[ow * g.Stride] += src[ow];
                        }
                    }
                }
    }

    /// <summary>
    /// row[(oh, ow), (c, i, j)] = x[c, oh·s − p + i, ow·s − p + j] for one image, zero outside it: the transpose of
    /// <see cref="Im2Col{T}"/> built directly (one row per output position), the right operand of the weight gradient.
    /// </summary>
    public static unsafe void Im2Row<T>(T* x, T* rows, Window g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var patch = g.Patch;
        var plane = g.H * g.W;
        for (var oh = 0; oh < g.OH; oh++)
            for (var ow = 0; ow < g.OW; ow++)
            {
                var row = rows + (nint)(oh * g.OW + ow) * patch;
                var w0 = ow * g.Stride - g.Padding;
                // the taps j in [j0, j1) of this window fall inside the image's width
                int j0 = Math.Max(0, -w0), j1 = Math.Min(g.KW, g.W - w0);
                for (var c = 0; c < g.C; c++)
                    for (var i = 0; i < g.KH; i++)
                    {
                        var dst = row + (c * g.KH + i) * g.KW;
                        var ih = oh * g.Stride - g.Padding + i;
                        if ((uint)ih >= (uint)g.H || j0 >= j1)
                        {
                            Runs.Clear(dst, g.KW);
                            continue;
                        }
                        var src = x + (nint)c * plane + (nint)ih * g.W + w0;
                        Runs.Clear(dst, j0);
                        Runs.Copy(src + j0, dst + j0, j1 - j0);
                        Runs.Clear(dst + j1, g.KW - j1);
                    }
            }
    }

    /// <summary>
    /// Images are processed in this many groups (at most), each group's images one after another on one thread, the
    /// groups in parallel. The count depends only on the batch size, so the weight gradient's partial sums (one per
    /// group, added in group order) and hence every result are the same whatever the number of cores.
    /// </summary>
    private const int MaxGroups = 8;

    /// <summary>Below this many multiply-adds per call the groups run on the calling thread (a fork costs more).</summary>
    private const long ParallelThreshold = 1L << 18;

    private static int Groups(int n) => Math.Max(1, Math.Min(n, MaxGroups));

    /// <summary>Runs body(group, firstImage, endImage) for each group of images, in parallel when it pays.</summary>
    private static void ForEachGroup(int n, long multiplyAdds, Action<int, int, int> body)
    {
        var groups = Groups(n);
        var threads = Math.Min(CpuParallel.Threads, groups);
        if (threads <= 1 || multiplyAdds < ParallelThreshold)
        {
            for (var t = 0; t < groups; t++) body(t, (int)((long)n * t / groups), (int)((long)n * (t + 1) / groups));
            return;
        }
        CpuParallel.For(groups, t => body(t, (int)((long)n * t / groups), (int)((long)n * (t + 1) / groups)));
    }

    /// <summary>c (m×n) = a (m×k) · b (k×n), or c += a · b, on this thread (the SIMD GEMM where it serves T).</summary>
    private static unsafe void Product<T>(T* a, T* b, T* c, int m, int k, int n, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Gemm.IsSupported<T>())
        {
            Gemm.MatMulSerial(a, b, c, m, k, n, accumulate);
            return;
        }
        for (var i = 0; i < m; i++)
        {
            var row = c + (nint)i * n;
            if (!accumulate) new Span<T>(row, n).Clear();
            for (var p = 0; p < k; p++)
            {
                var aip = a[(nint)i * k + p];
                var bRow = b + (nint)p * n;
                for (var j = 0; j < n; j++) row[j] += aip * bRow[j];
            }
        }
    }

    /// <summary>
    /// y (N, F, OH, OW) = x (N, C, H, W) ⋆ w (F, C, kH, kW): per image, y[n] (F × OH·OW) = w (F × C·kH·kW) · im2col(x[n]),
    /// written in place in NCHW; the per-image patch matrix stays in cache, images run in parallel. Stride-1 windows with
    /// rows at least a vector wide take <see cref="DirectCorrelation"/> instead (no patch matrix).
    /// </summary>
    public static unsafe void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, Span<T> y, Window g, int f) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var one = g with { N = 1 };
        int xImage = g.C * g.H * g.W, yImage = f * g.Positions, colLength = g.Patch * g.Positions;
        if (g.Stride == 1 && DirectCorrelation.Serves<T>(g.OW))
        {
            Correlate(x, w, y, new DirectCorrelation.Shape(g.C, g.H, g.W, g.Padding, g.Padding, g.KH, g.KW, f, g.OH, g.OW), g.N);
            return;
        }
        fixed (T* px = x, pw = w, py = y)
        {
            nint ax = (nint)px, aw = (nint)pw, ay = (nint)py;
            ForEachGroup(g.N, (long)g.N * yImage * g.Patch, (_, n0, n1) =>
            {
                var buffer = System.Buffers.ArrayPool<T>.Shared.Rent(colLength);
                try
                {
                    fixed (T* col = buffer)
                        for (var n = n0; n < n1; n++)
                        {
                            Im2Col((T*)ax + (nint)n * xImage, col, one);
                            Product((T*)aw, col, (T*)ay + (nint)n * yImage, f, g.Patch, g.Positions, false);
                        }
                }
                finally { System.Buffers.ArrayPool<T>.Shared.Return(buffer); }
            });
        }
    }

    /// <summary><see cref="DirectCorrelation"/> over all images, groups of images in parallel.</summary>
    private static unsafe void Correlate<T>(ReadOnlySpan<T> src, ReadOnlySpan<T> w, Span<T> dst, DirectCorrelation.Shape s, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* ps = src, pw = w, pd = dst)
        {
            nint asrc = (nint)ps, aw = (nint)pw, adst = (nint)pd;
            ForEachGroup(n, (long)n * s.Outputs * s.OH * s.OW * s.Patch, (_, n0, n1) =>
            {
                var scratch = System.Buffers.ArrayPool<T>.Shared.Rent(PaddedPlanes.ScratchLength((n1 - n0) * s.Channels, s.H, s.W, s.PadH, s.PadW));
                try
                {
                    fixed (T* pad = scratch) DirectCorrelation.Run((T*)asrc, (T*)aw, (T*)adst, s, n0, n1, pad);
                }
                finally { System.Buffers.ArrayPool<T>.Shared.Return(scratch); }
            });
        }
    }

    /// <summary>
    /// dx = the transposed convolution of dy (N, F, OH, OW) with w: per image, col2im(wᵀ · dy[n]) where dy[n] is read in
    /// place as an (F × OH·OW) matrix; only the small weight is transposed, once per call. (The same correlation done
    /// directly, on dy bordered by k − 1, was measured 2× slower on the CNN's conv2: most of its taps read the border.)
    /// </summary>
    public static unsafe void InputGradient<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx, Window g, int f) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var one = g with { N = 1 };
        int xImage = g.C * g.H * g.W, yImage = f * g.Positions, colLength = g.Patch * g.Positions;
        using var wT = new Scratch<T>(g.Patch * f);
        LinearAlgebra.Transpose(w, wT.Span, f, g.Patch);
        fixed (T* pdy = dy, pwT = wT.Span, pdx = dx)
        {
            nint ady = (nint)pdy, awT = (nint)pwT, adx = (nint)pdx;
            ForEachGroup(g.N, (long)g.N * yImage * g.Patch, (_, n0, n1) =>
            {
                var buffer = System.Buffers.ArrayPool<T>.Shared.Rent(colLength);
                try
                {
                    fixed (T* col = buffer)
                        for (var n = n0; n < n1; n++)
                        {
                            Product((T*)awT, (T*)ady + (nint)n * yImage, col, g.Patch, f, g.Positions, false);
                            Col2Im(col, (T*)adx + (nint)n * xImage, one);
                        }
                }
                finally { System.Buffers.ArrayPool<T>.Shared.Return(buffer); }
            });
        }
    }

    /// <summary>
    /// dw (F, C, kH, kW) = Σₙ dy[n] · im2row(x[n]): each group of images adds its images' products into its own partial
    /// sum (dy[n] read in place, the patch rows built directly, no transpose), and the partials are added in group order.
    /// Stride-1 windows with rows at least a vector wide take <see cref="DirectWeightGradient"/> instead (no patch rows).
    /// </summary>
    public static unsafe void WeightGradient<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, Span<T> dw, Window g, int f) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var one = g with { N = 1 };
        int xImage = g.C * g.H * g.W, yImage = f * g.Positions, rowsLength = g.Positions * g.Patch, wLength = f * g.Patch;
        var groups = Groups(g.N);
        if (g.N == 0)
        {
            dw.Slice(0, wLength).Clear();
            return;
        }
        using var partials = new Scratch<T>(groups * wLength);
        fixed (T* pdy = dy, px = x, pp = partials.Span)
        {
            nint ady = (nint)pdy, ax = (nint)px, ap = (nint)pp;
            if (DirectWeightGradient.Serves<T>(g))
                ForEachGroup(g.N, (long)g.N * yImage * g.Patch, (t, n0, n1) =>
                {
                    var padded = System.Buffers.ArrayPool<T>.Shared.Rent(DirectWeightGradient.PaddedLength(g, n1 - n0));
                    try
                    {
                        fixed (T* pad = padded)
                            DirectWeightGradient.Run((T*)ady, (T*)ax, (T*)ap + (nint)t * wLength, g, f, n0, n1, pad);
                    }
                    finally { System.Buffers.ArrayPool<T>.Shared.Return(padded); }
                });
            else ForEachGroup(g.N, (long)g.N * yImage * g.Patch, (t, n0, n1) =>
            {
                var buffer = System.Buffers.ArrayPool<T>.Shared.Rent(rowsLength);
                try
                {
                    fixed (T* rows = buffer)
                        for (var n = n0; n < n1; n++)
                        {
                            Im2Row((T*)ax + (nint)n * xImage, rows, one);
                            Product((T*)ady + (nint)n * yImage, rows, (T*)ap + (nint)t * wLength, f, g.Positions, g.Patch, n > n0);
                        }
                }
                finally { System.Buffers.ArrayPool<T>.Shared.Return(buffer); }
            });
        }
        var sum = dw.Slice(0, wLength);
        partials.Span.Slice(0, wLength).CopyTo(sum);
        for (var t = 1; t < groups; t++) Elementwise.AddInPlace(sum, partials.Span.Slice(t * wLength, wLength));
    }

    /// <summary>
    /// A work buffer rented from the shared array pool (every element is written before it is read), so the
    /// im2col matrices of each step reuse memory instead of landing on the large-object heap.
    /// </summary>
    private readonly struct Scratch<T> : IDisposable where T : unmanaged
    {
        private readonly T[] _array;
        private readonly int _length;

        public Scratch(int length)
        {
            _array = System.Buffers.ArrayPool<T>.Shared.Rent(length);
            _length = length;
        }

        public Span<T> Span => _array.AsSpan(0, _length);

        public void Dispose() => System.Buffers.ArrayPool<T>.Shared.Return(_array);
    }
}
