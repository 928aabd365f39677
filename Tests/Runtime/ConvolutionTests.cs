using static Differentiable.Ops;

namespace Differentiable.Tests.Runtime;

/// <summary>Conv2d, pooling, Flatten, Concat and their gradient helpers against hand-computed values and a direct loop.</summary>
public class ConvolutionTests
{
    private static Tensor Arange(DType dtype, params int[] shape) => Reshape(Tensor.Arange(shape.Aggregate(1, (a, b) => a * b), dtype), shape);

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Conv2dSumsEachWindow(DType dtype)
    {
        var x = Arange(dtype, 1, 1, 3, 3);                       // 0 1 2 / 3 4 5 / 6 7 8
        var w = TensorAssert.Make(dtype, new[] { 1.0, 1, 1, 1 }, 1, 1, 2, 2);
        var y = Conv2d(x, w);
        TensorAssert.Shape(y, 1, 1, 2, 2);
        TensorAssert.Close(new[] { 8.0, 12, 20, 24 }, y);
        // Padding 1, stride 2: the corner windows see one, two or four elements.
        TensorAssert.Close(new[] { 0.0, 3, 9, 24 }, Conv2d(x, w, stride: 2, padding: 1));
        TensorAssert.Close(new[] { 8.5, 12.5, 20.5, 24.5 }, Conv2d(x, w, TensorAssert.Make(dtype, new[] { 0.5 }, 1)));
    }

    [Fact]
    public void Conv2dMixesChannels()
    {
        var x = TensorAssert.Make(DType.Float64, new[] { 1.0, 2, 3, 4, 5, 6, 7, 8 }, 1, 2, 2, 2);
        var w = TensorAssert.Make(DType.Float64, new[] { 1.0, 2, -1, 0 }, 2, 2, 1, 1);
        TensorAssert.Close(new[] { 11.0, 14, 17, 20, -1, -2, -3, -4 }, Conv2d(x, w));
    }

    /// <summary>A direct six-loop convolution: the definition im2col + GEMM must match.</summary>
    private static double[] Naive(Tensor x, Tensor w, int stride, int padding)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3], f = w.Shape[0], k = w.Shape[2], kw = w.Shape[3];
        int oh = (h + 2 * padding - k) / stride + 1, ow = (wd + 2 * padding - kw) / stride + 1;
        var y = new double[n * f * oh * ow];
        for (var b = 0; b < n; b++)
            for (var o = 0; o < f; o++)
                for (var i = 0; i < oh; i++)
                    for (var j = 0; j < ow; j++)
                    {
                        var sum = 0.0;
                        for (var ch = 0; ch < c; ch++)
                            for (var p = 0; p < k; p++)
                                for (var q = 0; q < kw; q++)
                                {
                                    int r = i * stride - padding + p, s = j * stride - padding + q;
                                    if (r >= 0 && r < h && s >= 0 && s < wd) sum += x[b, ch, r, s] * w[o, ch, p, q];
                                }
                        y[((b * f + o) * oh + i) * ow + j] = sum;
                    }
        return y;
    }

    [Theory]
    [InlineData(DType.Float32, 1, 0)]
    [InlineData(DType.Float32, 2, 1)]
    [InlineData(DType.Float64, 3, 2)]
    [InlineData(DType.Float64, 1, 1)]
    public void Conv2dMatchesTheDirectLoop(DType dtype, int stride, int padding)
    {
        var rng = new Rng(11);
        var x = Tensor.Randn(new[] { 3, 4, 9, 8 }, rng, dtype);
        var w = Tensor.Randn(new[] { 5, 4, 3, 4 }, rng, dtype);
        TensorAssert.Close(Naive(x, w, stride, padding), Conv2d(x, w, stride: stride, padding: padding), tolerance: dtype == DType.Float32 ? 1e-4 : 1e-12);
    }

    /// <summary>The input and weight gradients by their definitions: every (output, window tap) pair scattered directly.</summary>
    private static (double[] Dx, double[] Dw) NaiveGradients(Tensor dy, Tensor x, Tensor w, int stride, int padding)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3], f = w.Shape[0], k = w.Shape[2], kw = w.Shape[3];
        int oh = dy.Shape[2], ow = dy.Shape[3];
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        for (var b = 0; b < n; b++)
            for (var o = 0; o < f; o++)
                for (var i = 0; i < oh; i++)
                    for (var j = 0; j < ow; j++)
                    {
                        var g = dy[b, o, i, j];
                        for (var ch = 0; ch < c; ch++)
                            for (var p = 0; p < k; p++)
                                for (var q = 0; q < kw; q++)
                                {
                                    int r = i * stride - padding + p, s = j * stride - padding + q;
                                    if (r < 0 || r >= h || s < 0 || s >= wd) continue;
                                    dx[((b * c + ch) * h + r) * wd + s] += g * w[o, ch, p, q];
                                    dw[((o * c + ch) * k + p) * kw + q] += g * x[b, ch, r, s];
                                }
                    }
        return (dx, dw);
    }

    /// <summary>
    /// The per-image kernels (groups of images in parallel, ragged GEMM tiles, im2row with padding) against the definition:
    /// batch 1, a batch that does not split evenly into groups, odd sizes, strides and paddings, more channels than a tile.
    /// </summary>
    [Theory]
    [InlineData(DType.Float32, 1, 1, 5, 7, 7, 3, 1, 0)]
    [InlineData(DType.Float32, 11, 3, 13, 9, 11, 5, 1, 0)]
    [InlineData(DType.Float32, 19, 10, 7, 12, 12, 5, 1, 0)]
    [InlineData(DType.Float32, 3, 4, 9, 9, 8, 3, 2, 1)]
    [InlineData(DType.Float64, 9, 2, 7, 10, 9, 4, 3, 2)]
    [InlineData(DType.Float64, 1, 3, 1, 5, 6, 3, 1, 1)]
    // rows wide enough for whole-vector runs (24 and 19 columns out), with and without padding
    [InlineData(DType.Float32, 5, 1, 10, 28, 28, 5, 1, 0)]
    [InlineData(DType.Float32, 3, 2, 3, 20, 21, 3, 1, 2)]
    [InlineData(DType.Float64, 2, 2, 3, 19, 22, 4, 1, 3)]
    // the direct kernels' pairs (two rows out, two channels' weight gradients) with an odd row and channel left over,
    // ragged vector tails, and a kernel wider than the weight gradient's eight taps at a time
    [InlineData(DType.Float32, 3, 2, 5, 15, 26, 3, 1, 0)]
    [InlineData(DType.Float32, 2, 3, 4, 21, 22, 10, 1, 1)]
    [InlineData(DType.Float64, 2, 2, 3, 18, 17, 9, 1, 2)]
    public void Conv2dKernelsMatchTheDefinition(DType dtype, int n, int c, int f, int h, int wd, int k, int stride, int padding)
    {
        var rng = new Rng(17);
        var x = Tensor.Randn(new[] { n, c, h, wd }, rng, dtype);
        var w = Tensor.Randn(new[] { f, c, k, k }, rng, dtype);
        var tolerance = dtype == DType.Float32 ? 1e-4 : 1e-12;
        var y = Conv2d(x, w, stride: stride, padding: padding);
        TensorAssert.Close(Naive(x, w, stride, padding), y, tolerance: tolerance);
        var dy = Tensor.Randn(y.Shape.ToArray(), rng, dtype);
        var (dx, dw) = NaiveGradients(dy, x, w, stride, padding);
        TensorAssert.Close(dx, GradientOps.Conv2dInputGradient(dy, w, x, stride: stride, padding: padding), tolerance: tolerance);
        TensorAssert.Close(dw, GradientOps.Conv2dWeightGradient(dy, x, w, stride: stride, padding: padding), tolerance: dtype == DType.Float32 ? 1e-3 : 1e-11);
    }

    [Fact]
    public void Conv2dGradientsAreAdjoint()
    {
        // <dy, conv(x, w)> = <conv_transpose(dy, w), x> = <weight gradient(dy, x), w>.
        var rng = new Rng(5);
        var x = Tensor.Randn(new[] { 2, 3, 7, 6 }, rng, DType.Float64);
        var w = Tensor.Randn(new[] { 4, 3, 3, 3 }, rng, DType.Float64);
        var y = Conv2d(x, w, stride: 2, padding: 1);
        var dy = Tensor.Randn(y.Shape.ToArray(), rng, DType.Float64);
        var lhs = Sum(Mul(dy, y)).Item();
        Assert.Equal(lhs, Sum(Mul(GradientOps.Conv2dInputGradient(dy, w, x, stride: 2, padding: 1), x)).Item(), 9);
        Assert.Equal(lhs, Sum(Mul(GradientOps.Conv2dWeightGradient(dy, x, w, stride: 2, padding: 1), w)).Item(), 9);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void MaxPool2dTakesWindowMaxima(DType dtype)
    {
        var x = Arange(dtype, 1, 1, 4, 4);
        TensorAssert.Close(new[] { 5.0, 7, 13, 15 }, MaxPool2d(x, 2));
        // Padding never wins, even against negative values.
        TensorAssert.Close(new[] { 0.0, -1, -4, -5 }, MaxPool2d(Neg(x), 3, stride: 2, padding: 1));
        TensorAssert.Shape(MaxPool2d(Arange(dtype, 2, 3, 7, 7), 3, stride: 2), 2, 3, 3, 3);
    }

    /// <summary>
    /// Max pooling and its backward against the definition on a tensor large enough to split planes across cores:
    /// overlapping windows, padding, odd sizes, many ties (values rounded) and a NaN, which wins its windows.
    /// </summary>
    [Theory]
    [InlineData(DType.Float32, 2, 2, 0, 33, 31)]
    [InlineData(DType.Float64, 3, 2, 1, 33, 31)]
    [InlineData(DType.Float32, 3, 1, 1, 33, 31)]
    // the 2×2 vector rows: 12 windows (8 + an overlapping 8), 4 (128-bit), 5 (overlapping 4s), 3 (scalar), odd sizes
    [InlineData(DType.Float32, 2, 2, 0, 24, 24)]
    [InlineData(DType.Float32, 2, 2, 0, 8, 8)]
    [InlineData(DType.Float32, 2, 2, 0, 12, 10)]
    [InlineData(DType.Float32, 2, 2, 0, 9, 17)]
    [InlineData(DType.Float32, 2, 2, 0, 16, 6)]
    [InlineData(DType.Float32, 2, 2, 0, 6, 41)]
    public void MaxPool2dMatchesTheDefinition(DType dtype, int k, int stride, int padding, int h, int wd)
    {
        const int n = 5, c = 7;
        var rng = new Rng(23);
        var values = Tensor.Randn(new[] { n, c, h, wd }, rng, DType.Float64).ToDoubleArray().Select(v => Math.Round(v * 2)).ToArray();
        values[(2 * c + 3) * h * wd + Math.Min(10, h - 1) * wd + Math.Min(7, wd - 1)] = double.NaN;
        var x = TensorAssert.Make(dtype, values, n, c, h, wd);
        int oh = (h + 2 * padding - k) / stride + 1, ow = (wd + 2 * padding - k) / stride + 1;
        var dy = Tensor.Randn(new[] { n, c, oh, ow }, rng, dtype);
        var dyValues = dy.ToDoubleArray();
        var y = new double[n * c * oh * ow];
        var dx = new double[values.Length];
        for (var plane = 0; plane < n * c; plane++)
            for (var i = 0; i < oh; i++)
                for (var j = 0; j < ow; j++)
                {
                    var best = -1;
                    for (var p = 0; p < k; p++)
                        for (var q = 0; q < k; q++)
                        {
                            int r = i * stride - padding + p, s = j * stride - padding + q;
                            if (r < 0 || r >= h || s < 0 || s >= wd) continue;
                            var at = (plane * h + r) * wd + s;
                            if (best < 0 || values[at] > values[best] || double.IsNaN(values[at]) && !double.IsNaN(values[best])) best = at;
                        }
                    var o = (plane * oh + i) * ow + j;
                    y[o] = values[best];
                    dx[best] += dyValues[o];
                }
        TensorAssert.Close(y, MaxPool2d(x, k, stride: stride, padding: padding), tolerance: 0);
        TensorAssert.Close(dx, GradientOps.MaxPool2dBackward(dy, x, k, stride: stride, padding: padding), tolerance: 1e-6);
    }

    [Fact]
    public void MaxPool2dBackwardRoutesToTheFirstMaximum()
    {
        var x = Tensor.Ones(new[] { 1, 1, 2, 4 }, DType.Float64);
        x[0, 0, 1, 3] = 2;
        var g = TensorAssert.Make(DType.Float64, new[] { 10.0, 20 }, 1, 1, 1, 2);
        TensorAssert.Close(new[] { 10.0, 0, 0, 0, 0, 0, 0, 20 }, GradientOps.MaxPool2dBackward(g, x, 2));
    }

    [Fact]
    public void AvgPool2dCountsPaddingAsZeros()
    {
        var x = Arange(DType.Float64, 1, 1, 4, 4);
        TensorAssert.Close(new[] { 2.5, 4.5, 10.5, 12.5 }, AvgPool2d(x, 2));
        TensorAssert.Close(new[] { 10.0 / 9, 24.0 / 9, 51.0 / 9, 90.0 / 9 }, AvgPool2d(x, 3, stride: 2, padding: 1));
        var g = TensorAssert.Make(DType.Float64, new[] { 4.0, 8, 12, 16 }, 1, 1, 2, 2);
        TensorAssert.Close(new[] { 1.0, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 }, GradientOps.AvgPool2dBackward(g, x, 2));
    }

    [Fact]
    public void GlobalAvgPoolFlattenAndConcat()
    {
        var x = Arange(DType.Float64, 1, 2, 2, 2);
        var pooled = GlobalAvgPool2d(x);
        TensorAssert.Shape(pooled, 1, 2);
        TensorAssert.Close(new[] { 1.5, 5.5 }, pooled);
        TensorAssert.Shape(Flatten(Arange(DType.Float32, 3, 2, 2, 5)), 3, 20);

        var a = Arange(DType.Float64, 2, 2);
        var b = Add(Arange(DType.Float64, 2, 1), 10);
        var c = Concat(a, b, axis: 1);
        TensorAssert.Shape(c, 2, 3);
        TensorAssert.Close(new[] { 0.0, 1, 10, 2, 3, 11 }, c);
        TensorAssert.Close(new[] { 0.0, 1, 2, 3, 10, 11 }, Concat(a, Reshape(b, 1, 2), axis: 0));
        TensorAssert.Close(new[] { 0.0, 1, 2, 3 }, GradientOps.SliceLike(c, a, axis: 1));
        TensorAssert.Close(new[] { 10.0, 11 }, GradientOps.SliceLike(c, b, axis: -1, fromEnd: true));
        Assert.Throws<ShapeMismatchException>(() => Concat(a, Arange(DType.Float64, 3, 1), axis: 1));
    }

    [Fact]
    public void ConcatOfManyTensorsJoinsThemInOrder()
    {
        var a = Arange(DType.Float64, 2, 1);
        var b = Add(Arange(DType.Float64, 2, 2), 10);
        var c = Add(Arange(DType.Float64, 2, 1), 20);
        var joined = Concat([a, b, c], axis: 1);
        TensorAssert.Shape(joined, 2, 4);
        TensorAssert.Close(new[] { 0.0, 10, 11, 20, 1, 12, 13, 21 }, joined);
        TensorAssert.Close(Concat(Concat(a, b, axis: 1), c, axis: 1).ToDoubleArray(), Concat(new[] { a, b, c }, axis: -1));
        TensorAssert.Close(a.ToDoubleArray(), Concat([a], axis: 0));
        var e = Assert.Throws<ShapeMismatchException>(() => Concat([a, b, Arange(DType.Float64, 3, 1)], axis: 1));
        Assert.Contains("tensors[2] of shape (3, 1)", e.Message);
        Assert.Throws<ArgumentException>(() => Concat([a, Arange(DType.Float32, 2, 1)], axis: 1));
        Assert.Throws<ArgumentException>(() => Concat([], axis: 0));
    }

    [Fact]
    public void ShapeErrorsNameTheProblem()
    {
        var x = Tensor.Zeros(1, 3, 5, 5);
        var e = Assert.Throws<ShapeMismatchException>(() => Conv2d(x, Tensor.Zeros(4, 2, 3, 3)));
        Assert.Contains("3 channels", e.Message);
        Assert.Throws<ShapeMismatchException>(() => Conv2d(Tensor.Zeros(3, 5, 5), Tensor.Zeros(4, 3, 3, 3)));
        Assert.Throws<ShapeMismatchException>(() => Conv2d(x, Tensor.Zeros(4, 3, 7, 7)));
        Assert.Throws<ArgumentOutOfRangeException>(() => MaxPool2d(x, 2, padding: 2));
    }

    [Fact]
    public void DropoutMasksAreInvertedAndSeeded()
    {
        var mask = Dropout.Mask(new[] { 100, 100 }, 0.2, new Rng(3));
        var values = mask.ToFloatArray();
        Assert.All(values, v => Assert.True(v == 0f || Math.Abs(v - 1.25f) < 1e-6));
        var dropped = values.Count(v => v == 0) / (double)values.Length;
        Assert.InRange(dropped, 0.18, 0.22);
        Assert.Equal(values, Dropout.Mask(new[] { 100, 100 }, 0.2, new Rng(3)).ToFloatArray());
        Assert.All(Dropout.Off(new[] { 2, 3 }).ToFloatArray(), v => Assert.Equal(1f, v));
    }
}
