using Differentiable;
using static Differentiable.Tests.Runtime.TensorAssert;

namespace Differentiable.Tests.Runtime;

public class MatMulAndShapeTests
{
    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void MatMulOfMatrices(DType dtype)
    {
        var a = Make(dtype, new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3);
        var b = Make(dtype, new[] { 7.0, 8, 9, 10, 11, 12 }, 3, 2);
        var c = Ops.MatMul(a, b);
        Shape(c, 2, 2);
        Close(new[] { 58.0, 64, 139, 154 }, c, dtype);
        Close(new[] { 58.0, 64, 139, 154 }, a.MatMul(b), dtype);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void MatMulWithVectorsDropsTheirDimension(DType dtype)
    {
        var m = Make(dtype, new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3);
        var v3 = Make(dtype, new[] { 1.0, 0, -1 });
        var v2 = Make(dtype, new[] { 1.0, 1 });
        var mv = Ops.MatMul(m, v3);
        Shape(mv, 2);
        Close(new[] { -2.0, -2 }, mv, dtype);
        var vm = Ops.MatMul(v2, m);
        Shape(vm, 3);
        Close(new[] { 5.0, 7, 9 }, vm, dtype);
        var dot = Ops.MatMul(v3, v3);
        Assert.Equal(0, dot.Rank);
        Close(new[] { 2.0 }, dot, dtype);
    }

    [Fact]
    public void MatMulMismatchNamesTheTensors()
    {
        var h1 = Tensor.Zeros(100, 128);
        var W2 = Tensor.Zeros(64, 10);
        var error = Assert.Throws<ShapeMismatchException>(() => Ops.MatMul(h1, W2));
        Assert.Equal("MatMul(h1, W2): cannot multiply h1 of shape (100, 128) by W2 of shape (64, 10): inner dimensions 128 and 64 differ.", error.Message);
        var rank3 = Assert.Throws<ShapeMismatchException>(() => Ops.MatMul(Tensor.Zeros(2, 2, 2), W2));
        Assert.Contains("(2, 2, 2)", rank3.Message);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void TransposeSwapsTheTwoDimensions(DType dtype)
    {
        var a = Make(dtype, new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3);
        var t = Ops.Transpose(a);
        Shape(t, 3, 2);
        Close(new[] { 1.0, 4, 2, 5, 3, 6 }, t, dtype);
        Close(new[] { 1.0, 4, 2, 5, 3, 6 }, a.Transpose(), dtype);
        Shape(Ops.Transpose(Tensor.Zeros(4)), 4);
        Assert.Throws<ShapeMismatchException>(() => Ops.Transpose(Tensor.Zeros(2, 2, 2)));
    }

    [Fact]
    public void TransposeOfALargeMatrixCrossesTileBoundaries()
    {
        var a = Tensor.Arange(70 * 45, DType.Float64).Reshape(70, 45);
        var t = a.Transpose();
        Shape(t, 45, 70);
        for (var i = 0; i < 70; i += 7)
            for (var j = 0; j < 45; j += 4)
                Assert.Equal(a[i, j], t[j, i]);
    }

    [Fact]
    public void ReshapeKeepsRowMajorOrderAndInfersOneDimension()
    {
        var a = Tensor.Arange(12, DType.Float64);
        var r = Ops.Reshape(a, 3, -1);
        Shape(r, 3, 4);
        Assert.Equal(6.0, r[1, 2]);
        Shape(a.Reshape(2, 2, 3), 2, 2, 3);
        Shape(Ops.Reshape(Tensor.Scalar(1), 1, 1), 1, 1);
        var error = Assert.Throws<ShapeMismatchException>(() => Ops.Reshape(a, 5, 2));
        Assert.Contains("(12)", error.Message);
        Assert.Contains("(5, 2)", error.Message);
        Assert.Throws<ShapeMismatchException>(() => Ops.Reshape(a, -1, -1));
        Assert.Throws<ShapeMismatchException>(() => Ops.Reshape(a, 5, -1));
    }
}
