using Differentiable;
using static Differentiable.Tests.Runtime.TensorAssert;

namespace Differentiable.Tests.Runtime;

public class ReductionTests
{
    // [[1, 5, 3],
    //  [4, 2, 6]]
    private static Tensor M(DType dtype) => Make(dtype, new[] { 1.0, 5, 3, 4, 2, 6 }, 2, 3);

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void SumOverAllAxesAndEachAxis(DType dtype)
    {
        var m = M(dtype);
        var all = Ops.Sum(m);
        Assert.Equal(0, all.Rank);
        Close(new[] { 21.0 }, all, dtype);
        var kept = Ops.Sum(m, keepDims: true);
        Shape(kept, 1, 1);
        Close(new[] { 21.0 }, kept, dtype);

        var columns = Ops.Sum(m, axis: 0);
        Shape(columns, 3);
        Close(new[] { 5.0, 7, 9 }, columns, dtype);
        var rows = Ops.Sum(m, axis: 1);
        Shape(rows, 2);
        Close(new[] { 9.0, 12 }, rows, dtype);
        var rowsKept = Ops.Sum(m, axis: -1, keepDims: true);
        Shape(rowsKept, 2, 1);
        Close(new[] { 9.0, 12 }, rowsKept, dtype);
        Shape(m.Sum(-2, true), 1, 3);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void MeanMaxAndArgMax(DType dtype)
    {
        var m = M(dtype);
        Close(new[] { 3.5 }, Ops.Mean(m), dtype);
        Close(new[] { 2.5, 3.5, 4.5 }, Ops.Mean(m, axis: 0), dtype);
        Close(new[] { 3.0, 4 }, m.Mean(-1), dtype);
        Shape(Ops.Mean(m, axis: 1, keepDims: true), 2, 1);

        Close(new[] { 6.0 }, Ops.Max(m), dtype);
        Close(new[] { 4.0, 5, 6 }, Ops.Max(m, axis: 0), dtype);
        Close(new[] { 5.0, 6 }, m.Max(1), dtype);
        Shape(Ops.Max(m, axis: -1, keepDims: true), 2, 1);

        var flat = Ops.ArgMax(m);
        Assert.Equal(0, flat.Rank);
        Assert.Equal(dtype, flat.DType);
        Close(new[] { 5.0 }, flat, dtype);
        Close(new[] { 1.0, 2 }, Ops.ArgMax(m, axis: 1), dtype);
        Close(new[] { 1.0, 0, 1 }, m.ArgMax(0), dtype);
    }

    [Fact]
    public void ArgMaxTakesTheFirstOfTies()
    {
        var x = Tensor.FromArray(new[] { 2.0, 7, 7, 1, 3, 3 }, 2, 3);
        Close(new[] { 1.0, 1 }, Ops.ArgMax(x, axis: 1));
        Close(new[] { 1.0 }, Ops.ArgMax(x));
    }

    [Fact]
    public void ReductionsOfAThreeDimensionalTensorAlongTheMiddleAxis()
    {
        var x = Tensor.Arange(24, DType.Float64).Reshape(2, 3, 4);
        var s = Ops.Sum(x, axis: 1);
        Shape(s, 2, 4);
        Close(new[] { 12.0, 15, 18, 21, 48, 51, 54, 57 }, s);
        Close(new[] { 8.0, 9, 10, 11, 20, 21, 22, 23 }, Ops.Max(x, axis: -2));
    }

    [Fact]
    public void FloatSumOfManyElementsStaysAccurate()
    {
        var x = Tensor.Full(new[] { 1_000_000 }, 0.1, DType.Float32);
        Assert.Equal(100000.0, Ops.Sum(x).Item(), 100000.0 * 1e-5);
    }

    [Fact]
    public void AxisOutOfRangeIsAClearError()
    {
        var x = Tensor.Zeros(2, 3);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Sum(x, axis: 2));
        Assert.Contains("(2, 3)", error.Message);
        Assert.Contains("Sum(x", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Max(x, axis: -3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Softmax(x, axis: 5));
        Assert.ThrowsAny<ArgumentException>(() => Ops.Max(Tensor.Zeros(0)));
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void LogSumExpValues(DType dtype)
    {
        var m = Make(dtype, new[] { 0.0, 1, 2, -1, 0, 1 }, 2, 3);
        var all = Math.Log(new[] { 0.0, 1, 2, -1, 0, 1 }.Sum(Math.Exp));
        Close(new[] { all }, Ops.LogSumExp(m), dtype);
        var row0 = Math.Log(Math.Exp(0) + Math.Exp(1) + Math.Exp(2));
        var rows = Ops.LogSumExp(m, axis: 1);
        Shape(rows, 2);
        Close(new[] { row0, row0 - 1 }, rows, dtype);
        Shape(m.LogSumExp(-1, true), 2, 1);
        Close(new[] { Math.Log(Math.Exp(0) + Math.Exp(-1)), Math.Log(Math.Exp(1) + 1), Math.Log(Math.Exp(2) + Math.Exp(1)) }, Ops.LogSumExp(m, axis: 0), dtype);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void LogSumExpIsStableForLargeAndVeryNegativeInputs(DType dtype)
    {
        var big = Ops.LogSumExp(Make(dtype, new[] { 1000.0, 1000 }));
        Close(new[] { 1000 + Math.Log(2) }, big, dtype);
        var small = Ops.LogSumExp(Make(dtype, new[] { -1000.0, -1000 }));
        Close(new[] { -1000 + Math.Log(2) }, small, dtype);
        var mixed = Ops.LogSumExp(Make(dtype, new[] { 500.0, 0 }, 1, 2), axis: 1);
        Close(new[] { 500.0 }, mixed, dtype);
        var allNegInf = Ops.LogSumExp(Make(dtype, new[] { double.NegativeInfinity, double.NegativeInfinity }));
        Assert.Equal(double.NegativeInfinity, allNegInf.Item());
    }
}
