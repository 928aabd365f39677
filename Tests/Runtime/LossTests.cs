using Differentiable;
using static Differentiable.Tests.Runtime.TensorAssert;

namespace Differentiable.Tests.Runtime;

public class LossTests
{
    private static double[] SoftmaxRow(params double[] row)
    {
        var m = row.Max();
        var e = row.Select(v => Math.Exp(v - m)).ToArray();
        var s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void SoftmaxAndLogSoftmaxAlongTheLastAxis(DType dtype)
    {
        var x = Make(dtype, new[] { 1.0, 2, 3, 0, 0, 0 }, 2, 3);
        var expected = SoftmaxRow(1, 2, 3).Concat(new[] { 1.0 / 3, 1.0 / 3, 1.0 / 3 }).ToArray();
        var s = Ops.Softmax(x);
        Shape(s, 2, 3);
        Close(expected, s, dtype);
        Close(expected.Select(v => Math.Log(v)).ToArray(), Ops.LogSoftmax(x), dtype);
        Close(expected.Select(v => Math.Log(v)).ToArray(), Ops.LogSoftmax(x, axis: 1), dtype);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void LogSoftmaxIsBitForBitXMinusLogSumExp(DType dtype)
    {
        // The generator expands LogSoftmax to this composition; eager and generated forward values must agree exactly.
        var x = Tensor.Randn(new[] { 7, 10 }, new Rng(12), dtype) * 3;
        Assert.Equal(Ops.Sub(x, Ops.LogSumExp(x, axis: 1, keepDims: true)).ToDoubleArray(), Ops.LogSoftmax(x, axis: 1).ToDoubleArray());
        Assert.Equal(Ops.Exp(Ops.LogSoftmax(x, axis: 0)).ToDoubleArray(), Ops.Softmax(x, axis: 0).ToDoubleArray());
    }

    [Fact]
    public void SoftmaxAlongTheFirstAxis()
    {
        var x = Tensor.FromArray(new[] { 1.0, 5, 3, 5 }, 2, 2);
        var col0 = SoftmaxRow(1, 3);
        Close(new[] { col0[0], 0.5, col0[1], 0.5 }, Ops.Softmax(x, axis: 0));
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void SoftmaxIsStableForHugeLogits(DType dtype)
    {
        var x = Make(dtype, new[] { 1000.0, 1001, -1000 }, 1, 3);
        var expected = SoftmaxRow(0, 1, -2000);
        // Float32 logits near 1000 are themselves only known to ulp(1000) ≈ 6e-5, which bounds what any softmax can give.
        Close(expected, Ops.Softmax(x), dtype, dtype == DType.Float32 ? 2e-4 : 1e-12);
        Close(new[] { Math.Log(expected[0]), Math.Log(expected[1]), -2001 - Math.Log(1 + Math.Exp(-1)) + 0 }, Ops.LogSoftmax(x), dtype, dtype == DType.Float32 ? 1e-4 : 1e-12);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void GatherPicksOneClassPerRow(DType dtype)
    {
        var h = Make(dtype, new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3);
        var g = Ops.Gather(h, Labels.FromArray(2, 0));
        Shape(g, 2);
        Close(new[] { 3.0, 4 }, g, dtype);
    }

    [Fact]
    public void GatherErrorsNameBothArguments()
    {
        var logits = Tensor.Zeros(3, 4);
        var labels = Labels.FromArray(0, 1);
        var count = Assert.Throws<ShapeMismatchException>(() => Ops.Gather(logits, labels));
        Assert.Contains("logits", count.Message);
        Assert.Contains("labels", count.Message);
        Assert.Contains("(3, 4)", count.Message);
        Assert.Contains("2 labels", count.Message);

        var y = Labels.FromArray(0, 4, 1);
        var range = Assert.ThrowsAny<ArgumentException>(() => Ops.Gather(logits, y));
        Assert.Contains("y[1] = 4", range.Message);
        Assert.Contains("logits", range.Message);
        Assert.ThrowsAny<ArgumentException>(() => Ops.Gather(logits, Labels.FromArray(0, -1, 1)));
        Assert.Throws<ShapeMismatchException>(() => Ops.Gather(Tensor.Zeros(3), y));
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void NllLossIsTheNegatedMeanOfThePickedLogProbabilities(DType dtype)
    {
        var logProbs = Make(dtype, new[] { -0.1, -2.0, -3.0, -0.5, -1.5, -0.7 }, 2, 3);
        var loss = Ops.NllLoss(logProbs, Labels.FromArray(0, 2));
        Assert.Equal(0, loss.Rank);
        Close(new[] { (0.1 + 0.7) / 2 }, loss, dtype);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void CrossEntropyMatchesHandComputedSoftmaxLoss(DType dtype)
    {
        var logits = Make(dtype, new[] { 1.0, 2, 3, 1, 1, 1 }, 2, 3);
        var p0 = SoftmaxRow(1, 2, 3);
        var expected = -(Math.Log(p0[1]) + Math.Log(1.0 / 3)) / 2;
        var loss = Ops.CrossEntropy(logits, Labels.FromArray(1, 0));
        Assert.Equal(0, loss.Rank);
        Close(new[] { expected }, loss, dtype);
    }

    [Fact]
    public void CrossEntropyOfHugeLogitsIsFinite()
    {
        var logits = Tensor.FromArray(new float[] { 10000, 0, -10000, 0 }, 2, 2);
        var loss = Ops.CrossEntropy(logits, Labels.FromArray(1, 0)).Item();
        // Both rows put every bit of probability on the wrong class: −log p = 10000 each, exactly.
        Assert.Equal(10000.0, loss, 1e-2);
        var error = Assert.Throws<ShapeMismatchException>(() => Ops.CrossEntropy(logits, Labels.FromArray(1)));
        Assert.Contains("logits", error.Message);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void MseLossIsTheMeanSquaredDifference(DType dtype)
    {
        var a = Make(dtype, new[] { 1.0, 2, 3, 4 }, 2, 2);
        var b = Make(dtype, new[] { 1.0, 0, 5, 1 }, 2, 2);
        var loss = Ops.MseLoss(a, b);
        Assert.Equal(0, loss.Rank);
        Close(new[] { (0 + 4 + 4 + 9) / 4.0 }, loss, dtype);
        var error = Assert.Throws<ShapeMismatchException>(() => Ops.MseLoss(a, Tensor.Zeros(new[] { 3 }, dtype)));
        Assert.StartsWith("MseLoss(a, Tensor.Zeros(new[] { 3 }, dtype))", error.Message);
    }
}
