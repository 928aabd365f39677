using System.Linq;
using Differentiable;
using static Differentiable.Tests.Runtime.TensorAssert;

namespace Differentiable.Tests.Runtime;

public class BroadcastingTests
{
    /// <summary>
    /// Broadcast patterns whose axes the kernels merge differently (a bias over image planes, both operands broadcast,
    /// size-1 axes, rows shorter and longer than a vector), for an operation whose operands do not commute, against the
    /// definition element by element.
    /// </summary>
    [Theory]
    [InlineData(new[] { 3, 10, 24, 24 }, new[] { 10, 1, 1 })]
    [InlineData(new[] { 2, 20, 8, 8 }, new[] { 1, 20, 1, 1 })]
    [InlineData(new[] { 10, 1, 1 }, new[] { 3, 10, 5, 5 })]
    [InlineData(new[] { 2, 1, 4 }, new[] { 3, 1 })]
    [InlineData(new[] { 5, 1, 37 }, new[] { 1, 6, 37 })]
    [InlineData(new[] { 4, 70 }, new[] { 70 })]
    [InlineData(new[] { 1, 1, 3 }, new[] { 2, 1, 1 })]
    public void SubtractionBroadcastsAsDefined(int[] aShape, int[] bShape)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var a = Tensor.Randn(aShape, new Rng(5), dtype);
            var b = Tensor.Randn(bShape, new Rng(6), dtype);
            var result = Ops.Sub(a, b);
            var rank = Math.Max(aShape.Length, bShape.Length);
            int[] Padded(int[] s) => Enumerable.Repeat(1, rank - s.Length).Concat(s).ToArray();
            var (pa, pb) = (Padded(aShape), Padded(bShape));
            var shape = pa.Zip(pb, Math.Max).ToArray();
            Assert.Equal(shape, result.Shape.ToArray());
            var (va, vb) = (a.ToDoubleArray(), b.ToDoubleArray());
            var expected = new double[shape.Aggregate(1, (x, y) => x * y)];
            for (var flat = 0; flat < expected.Length; flat++)
            {
                var (rest, ia, ib, sa, sb) = (flat, 0, 0, 1, 1);
                for (var d = rank - 1; d >= 0; d--)
                {
                    var index = rest % shape[d];
                    rest /= shape[d];
                    ia += (pa[d] == 1 ? 0 : index) * sa;
                    ib += (pb[d] == 1 ? 0 : index) * sb;
                    sa *= pa[d];
                    sb *= pb[d];
                }
                expected[flat] = va[ia] - vb[ib];
            }
            TensorAssert.Close(expected, result, tolerance: dtype == DType.Float32 ? 1e-6 : 1e-14);
        }
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void RowVectorBroadcastsOverRows(DType dtype)
    {
        var m = Make(dtype, new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3);
        var row = Make(dtype, new[] { 10.0, 20, 30 }, 3);
        var sum = Ops.Add(m, row);
        Shape(sum, 2, 3);
        Close(new[] { 11.0, 22, 33, 14, 25, 36 }, sum, dtype);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void ColumnAndRowBroadcastToAnOuterProductShape(DType dtype)
    {
        var column = Make(dtype, new[] { 1.0, 2 }, 2, 1);
        var row = Make(dtype, new[] { 10.0, 20, 30 }, 1, 3);
        var product = Ops.Mul(column, row);
        Shape(product, 2, 3);
        Close(new[] { 10.0, 20, 30, 20, 40, 60 }, product, dtype);
        Close(new[] { -9.0, -19, -29, -8, -18, -28 }, Ops.Sub(column, row), dtype);
    }

    [Fact]
    public void ScalarTensorBroadcastsAgainstAnything()
    {
        var m = Tensor.FromArray(new[] { 2.0, 4, 6, 8 }, 2, 2);
        Close(new[] { 1.0, 2, 3, 4 }, Ops.Div(m, Tensor.Scalar(2, DType.Float64)));
        Close(new[] { 1.0, 0.5, 1.0 / 3, 0.25 }, Ops.Div(Tensor.Scalar(2, DType.Float64), m));
    }

    [Fact]
    public void ThreeDimensionalBroadcastAgainstAMiddleAxis()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 12).Select(i => (double)i).ToArray(), 2, 3, 2);
        var y = Tensor.FromArray(new[] { 100.0, 200, 300 }, 3, 1);
        var sum = x + y;
        Shape(sum, 2, 3, 2);
        Close(new[] { 100.0, 101, 202, 203, 304, 305, 106, 107, 208, 209, 310, 311 }, sum);
    }

    [Fact]
    public void MismatchNamesBothTensorsTheirShapesAndTheDimension()
    {
        var z = Tensor.Zeros(100, 128);
        var B1 = Tensor.Zeros(64);
        var error = Assert.Throws<ShapeMismatchException>(() => Ops.Add(z, B1));
        Assert.Equal("Add(z, B1): shapes (100, 128) and (64) do not broadcast (dimension 1: 128 vs 64).", error.Message);
        Assert.IsAssignableFrom<ArgumentException>(error);
    }

    [Fact]
    public void MismatchMessageUsesTheCallersExpressions()
    {
        var a = Tensor.Zeros(2, 3);
        var error = Assert.Throws<ShapeMismatchException>(() => Ops.Mul(a.Transpose(), a));
        Assert.StartsWith("Mul(a.Transpose(), a): shapes (3, 2) and (2, 3)", error.Message);
        Assert.Throws<ShapeMismatchException>(() => Ops.Maximum(a, Tensor.Zeros(3, 3)));
        Assert.Throws<ShapeMismatchException>(() => a - Tensor.Zeros(4));
    }

    [Fact]
    public void MixingDTypesIsAClearError()
    {
        var f = Tensor.Zeros(2);
        var d = Tensor.Zeros(new[] { 2 }, DType.Float64);
        var error = Assert.ThrowsAny<ArgumentException>(() => Ops.Add(f, d));
        Assert.Contains("float32", error.Message);
        Assert.Contains("float64", error.Message);
        Assert.Contains("f", error.Message);
        Assert.ThrowsAny<ArgumentException>(() => Ops.MatMul(Tensor.Zeros(2, 2), Tensor.Zeros(new[] { 2, 2 }, DType.Float64)));
    }

    [Fact]
    public void ResultsNeverAliasTheirInputs()
    {
        var x = Tensor.FromArray(new[] { 1.0, 2 });
        var y = Ops.Add(x, 0.0);
        y[0] = 50;
        Assert.Equal(1.0, x[0]);
        var r = Ops.Reshape(x, 2, 1);
        r[0, 0] = 9;
        Assert.Equal(1.0, x[0]);
        var detached = Ops.Detach(x);
        detached[1] = 9;
        Assert.Equal(2.0, x[1]);
    }
}
