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
/// Convolution by im2col and the shared matrix product (<see cref="LinearAlgebra.MatMul{T}"/>): the input patches
/// of the whole batch become the columns of one (C·kH·kW) × (N·OH·OW) matrix, so each convolution, and each of its
/// two adjoints, is a single large product that the GEMM splits across cores.
/// </summary>
internal static class Convolution
{
    /// <summary>col[(c, i, j), (n, oh, ow)] = x[n, c, oh·s − p + i, ow·s − p + j], zero outside the input.</summary>
    public static void Im2Col<T>(ReadOnlySpan<T> x, Span<T> col, Window g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = g.N * g.Positions;
        for (var c = 0; c < g.C; c++)
            for (var i = 0; i < g.KH; i++)
                for (var j = 0; j < g.KW; j++)
                {
                    var row = col.Slice(((c * g.KH + i) * g.KW + j) * p, p);
                    for (var n = 0; n < g.N; n++)
                    {
                        var image = x.Slice((n * g.C + c) * g.H * g.W, g.H * g.W);
                        for (var oh = 0; oh < g.OH; oh++)
                        {
                            var dst = row.Slice(n * g.Positions + oh * g.OW, g.OW);
                            var ih = oh * g.Stride - g.Padding + i;
                            if ((uint)ih >= (uint)g.H)
                            {
                                dst.Clear();
                                continue;
                            }
                            var src = image.Slice(ih * g.W, g.W);
                            if (g.Stride == 1 && g.Padding == 0)
                            {
                                src.Slice(j, g.OW).CopyTo(dst);
                                continue;
                            }
                            for (var ow = 0; ow < g.OW; ow++)
                            {
                                var iw = ow * g.Stride - g.Padding + j;
                                dst[ow] = (uint)iw < (uint)g.W ? src[iw] : T.Zero;
                            }
                        }
                    }
                }
    }

    /// <summary>The adjoint of <see cref="Im2Col{T}"/>: adds every column entry back to the input element it was read from.</summary>
    public static void Col2Im<T>(ReadOnlySpan<T> col, Span<T> dx, Window g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx.Clear();
        var p = g.N * g.Positions;
        for (var c = 0; c < g.C; c++)
            for (var i = 0; i < g.KH; i++)
                for (var j = 0; j < g.KW; j++)
                {
                    var row = col.Slice(((c * g.KH + i) * g.KW + j) * p, p);
                    for (var n = 0; n < g.N; n++)
                    {
                        var image = dx.Slice((n * g.C + c) * g.H * g.W, g.H * g.W);
                        for (var oh = 0; oh < g.OH; oh++)
                        {
                            var ih = oh * g.Stride - g.Padding + i;
                            if ((uint)ih >= (uint)g.H) continue;
                            var src = row.Slice(n * g.Positions + oh * g.OW, g.OW);
                            var dst = image.Slice(ih * g.W, g.W);
                            for (var ow = 0; ow < g.OW; ow++)
                            {
                                var iw = ow * g.Stride - g.Padding + j;
                                if ((uint)iw < (uint)g.W) dst[iw] += src[ow];
                            }
                        }
                    }
                }
    }

    /// <summary>(F, N·P) → (N, F, P): the product's layout to NCHW.</summary>
    private static void ToBatchMajor<T>(ReadOnlySpan<T> src, Span<T> dst, int n, int f, int positions) where T : unmanaged
    {
        for (var k = 0; k < f; k++)
            for (var b = 0; b < n; b++)
                src.Slice((k * n + b) * positions, positions).CopyTo(dst.Slice((b * f + k) * positions, positions));
    }

    /// <summary>(N, F, P) → (F, N·P).</summary>
    private static void ToFeatureMajor<T>(ReadOnlySpan<T> src, Span<T> dst, int n, int f, int positions) where T : unmanaged
    {
        for (var b = 0; b < n; b++)
            for (var k = 0; k < f; k++)
                src.Slice((b * f + k) * positions, positions).CopyTo(dst.Slice((k * n + b) * positions, positions));
    }

    /// <summary>y (N, F, OH, OW) = x (N, C, H, W) ⋆ w (F, C, kH, kW).</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> w, Span<T> y, Window g, int f) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = g.N * g.Positions;
        using var col = new Scratch<T>(g.Patch * p);
        using var product = new Scratch<T>(f * p);
        Im2Col(x, col.Span, g);
        LinearAlgebra.MatMul<T>(w, col.Span, product.Span, f, g.Patch, p);
        ToBatchMajor<T>(product.Span, y, g.N, f, g.Positions);
    }

    /// <summary>dx = the transposed convolution of dy (N, F, OH, OW) with w: col2im(wᵀ · dy).</summary>
    public static void InputGradient<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx, Window g, int f) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = g.N * g.Positions;
        using var dyMatrix = new Scratch<T>(f * p);
        using var wT = new Scratch<T>(g.Patch * f);
        using var col = new Scratch<T>(g.Patch * p);
        ToFeatureMajor(dy, dyMatrix.Span, g.N, f, g.Positions);
        LinearAlgebra.Transpose(w, wT.Span, f, g.Patch);
        LinearAlgebra.MatMul<T>(wT.Span, dyMatrix.Span, col.Span, g.Patch, f, p);
        Col2Im<T>(col.Span, dx, g);
    }

    /// <summary>dw (F, C, kH, kW) = dy · im2col(x)ᵀ: the correlation of the input with the upstream gradient.</summary>
    public static void WeightGradient<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, Span<T> dw, Window g, int f) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = g.N * g.Positions;
        using var dyMatrix = new Scratch<T>(f * p);
        using var col = new Scratch<T>(g.Patch * p);
        using var colT = new Scratch<T>(p * g.Patch);
        ToFeatureMajor(dy, dyMatrix.Span, g.N, f, g.Positions);
        Im2Col(x, col.Span, g);
        LinearAlgebra.Transpose<T>(col.Span, colT.Span, g.Patch, p);
        LinearAlgebra.MatMul<T>(dyMatrix.Span, colT.Span, dw, f, p, g.Patch);
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
