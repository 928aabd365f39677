using System.Linq;
using Differentiable;
using static Differentiable.Tests.Runtime.TensorAssert;

namespace Differentiable.Tests.Runtime;

public class GradientOpsTests
{
    private static readonly double[] Six = { 1, 2, 3, 4, 5, 6 };

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void SumToShapeOfSumsBroadcastAxes(DType dtype)
    {
        var g = Make(dtype, Six, 2, 3);
        var row = GradientOps.SumToShapeOf(g, Tensor.Zeros(new[] { 3 }, dtype));
        Shape(row, 3);
        Close(new[] { 5.0, 7, 9 }, row, dtype);
        var column = GradientOps.SumToShapeOf(g, Tensor.Zeros(new[] { 2, 1 }, dtype));
        Shape(column, 2, 1);
        Close(new[] { 6.0, 15 }, column, dtype);
        var keptRow = GradientOps.SumToShapeOf(g, Tensor.Zeros(new[] { 1, 3 }, dtype));
        Shape(keptRow, 1, 3);
        Close(new[] { 5.0, 7, 9 }, keptRow, dtype);
        var scalar = GradientOps.SumToShapeOf(g, Tensor.Scalar(0, dtype));
        Assert.Equal(0, scalar.Rank);
        Close(new[] { 21.0 }, scalar, dtype);
        var ones = GradientOps.SumToShapeOf(g, Tensor.Zeros(new[] { 1, 1 }, dtype));
        Close(new[] { 21.0 }, ones, dtype);
    }

    /// <summary>
    /// Every pattern the summation walks differently (axes merged when summed together or contiguous, size-1 axes
    /// dropped, long rows summed with vectors), against the definition: each element of g added to the element of x's
    /// shape it was broadcast from.
    /// </summary>
    [Theory]
    [InlineData(new[] { 4, 10, 24, 24 }, new[] { 10, 1, 1 })]
    [InlineData(new[] { 3, 5, 8, 8 }, new[] { 1, 5, 1, 1 })]
    [InlineData(new[] { 6, 7 }, new[] { 7 })]
    [InlineData(new[] { 2, 3, 4, 5 }, new[] { 2, 1, 4, 1 })]
    [InlineData(new[] { 2, 3, 4, 5 }, new[] { 3, 1, 5 })]
    [InlineData(new[] { 2, 1, 70, 3 }, new[] { 1, 1, 70, 1 })]
    [InlineData(new[] { 5, 130 }, new[] { 5, 1 })]
    [InlineData(new[] { 3, 1, 4 }, new[] { 1 })]
    public void SumToShapeOfMatchesTheDefinition(int[] gShape, int[] xShape)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var g = Tensor.Randn(gShape, new Rng(3), dtype);
            var values = g.ToDoubleArray();
            var expected = new double[xShape.Aggregate(1, (a, b) => a * b)];
            var offset = gShape.Length - xShape.Length;
            for (var flat = 0; flat < values.Length; flat++)
            {
                var (rest, target, stride) = (flat, 0, 1);
                for (var d = gShape.Length - 1; d >= 0; d--)
                {
                    var index = rest % gShape[d];
                    rest /= gShape[d];
                    if (d < offset) continue;
                    var size = xShape[d - offset];
                    target += (size == 1 ? 0 : index) * stride;
                    stride *= size;
                }
                expected[target] += values[flat];
            }
            var sum = GradientOps.SumToShapeOf(g, Tensor.Zeros(xShape, dtype));
            Assert.Equal(xShape, sum.Shape.ToArray());
            TensorAssert.Close(expected, sum, tolerance: dtype == DType.Float32 ? 1e-4 : 1e-12);
        }
    }

    [Fact]
    public void SumToShapeOfReturnsTheSameTensorWhenNothingWasBroadcast()
    {
        var g = Tensor.FromArray(Six, 2, 3);
        Assert.Same(g, GradientOps.SumToShapeOf(g, Tensor.Zeros(new[] { 2, 3 }, DType.Float64)));
    }

    [Fact]
    public void SumToShapeOfRejectsAShapeThatCannotBroadcast()
    {
        var g = Tensor.FromArray(Six, 2, 3);
        var b = Tensor.Zeros(new[] { 2 }, DType.Float64);
        var error = Assert.Throws<ShapeMismatchException>(() => GradientOps.SumToShapeOf(g, b));
        Assert.Contains("(2)", error.Message);
        Assert.Contains("(2, 3)", error.Message);
    }

    [Fact]
    public void SumToShapeOfAThreeDimensionalGradient()
    {
        var g = Tensor.Arange(24, DType.Float64).Reshape(2, 3, 4);
        var x = Tensor.Zeros(new[] { 3, 1 }, DType.Float64);
        var r = GradientOps.SumToShapeOf(g, x);
        Shape(r, 3, 1);
        // Row j of x collects g[i, j, k] over i and k.
        Close(new[] { 0 + 1 + 2 + 3 + 12 + 13 + 14 + 15.0, 4 + 5 + 6 + 7 + 16 + 17 + 18 + 19.0, 8 + 9 + 10 + 11 + 20 + 21 + 22 + 23.0 }, r);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void ExpandAlongUndoesEachReductionShape(DType dtype)
    {
        var x = Tensor.Zeros(new[] { 2, 3 }, dtype);
        Close(new[] { 1.0, 2, 3, 1, 2, 3 }, GradientOps.ExpandAlong(Make(dtype, new[] { 1.0, 2, 3 }), x, 0, false), dtype);
        Close(new[] { 1.0, 2, 3, 1, 2, 3 }, GradientOps.ExpandAlong(Make(dtype, new[] { 1.0, 2, 3 }, 1, 3), x, 0, true), dtype);
        Close(new[] { 7.0, 7, 7, 8, 8, 8 }, GradientOps.ExpandAlong(Make(dtype, new[] { 7.0, 8 }), x, -1, false), dtype);
        Close(new[] { 7.0, 7, 7, 8, 8, 8 }, GradientOps.ExpandAlong(Make(dtype, new[] { 7.0, 8 }, 2, 1), x, 1, true), dtype);
        var all = GradientOps.ExpandAlong(Tensor.Scalar(4, dtype), x, null, false);
        Shape(all, 2, 3);
        Close(new[] { 4.0, 4, 4, 4, 4, 4 }, all, dtype);
        Close(new[] { 4.0, 4, 4, 4, 4, 4 }, GradientOps.ExpandAlong(Make(dtype, new[] { 4.0 }, 1, 1), x, null, true), dtype);
        Assert.Throws<ShapeMismatchException>(() => GradientOps.ExpandAlong(Make(dtype, new[] { 1.0, 2 }), x, 0, false));
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void ExpandMeanAlongDividesByTheReducedCount(DType dtype)
    {
        var x = Tensor.Zeros(new[] { 2, 3 }, dtype);
        Close(new[] { 2.0, 2, 2, 3, 3, 3 }, GradientOps.ExpandMeanAlong(Make(dtype, new[] { 6.0, 9 }), x, 1, false), dtype);
        Close(new[] { 0.5, 1, 1.5, 0.5, 1, 1.5 }, GradientOps.ExpandMeanAlong(Make(dtype, new[] { 1.0, 2, 3 }, 1, 3), x, -2, true), dtype);
        Close(Enumerable.Repeat(1.0, 6).ToArray(), GradientOps.ExpandMeanAlong(Tensor.Scalar(6, dtype), x, null, false), dtype);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void MaxMaskSharesTiesEvenly(DType dtype)
    {
        var x = Make(dtype, new[] { 1.0, 5, 5, 4, 2, 6 }, 2, 3);
        var rowMax = Ops.Max(x, axis: 1);
        Close(new[] { 0, 0.5, 0.5, 0, 0, 1 }, GradientOps.MaxMask(x, rowMax, 1, false), dtype);
        var colMax = Ops.Max(x, axis: 0, keepDims: true);
        Close(new[] { 0.0, 1, 0, 1, 0, 1 }, GradientOps.MaxMask(x, colMax, 0, true), dtype);
        var all = Ops.Max(x);
        Close(new[] { 0.0, 0, 0, 0, 0, 1 }, GradientOps.MaxMask(x, all, null, false), dtype);
        var allTies = Make(dtype, new[] { 2.0, 2, 2, 2 }, 2, 2);
        Close(new[] { 0.25, 0.25, 0.25, 0.25 }, GradientOps.MaxMask(allTies, Ops.Max(allTies, keepDims: true), null, true), dtype);
    }

    /// <summary>
    /// dy where y &gt; 0, else 0 — at 0, at −0, at NaN y, and for NaN and infinite dy where y ≤ 0 (PyTorch's
    /// threshold_backward gives 0 there; dy ⊙ [y &gt; 0] would give NaN) — over lengths that end inside a vector.
    /// </summary>
    [Theory]
    [InlineData(DType.Float32, 7)]
    [InlineData(DType.Float32, 37)]
    [InlineData(DType.Float64, 19)]
    public void ReluGradientPassesDyWhereTheOutputIsPositive(DType dtype, int length)
    {
        var special = new[] { (1.5, 2.0), (-3.0, 0.0), (4.0, -0.0), (5.0, double.NaN), (double.NaN, -1.0), (double.PositiveInfinity, 0.0), (double.NaN, 2.0) };
        var dy = new double[length];
        var y = new double[length];
        for (var i = 0; i < length; i++) (dy[i], y[i]) = i < special.Length ? special[i] : (i * 0.25 - 3, (i % 3 - 1) * 0.5);
        var result = GradientOps.ReluGradient(Make(dtype, dy), Make(dtype, y)).ToDoubleArray();
        for (var i = 0; i < length; i++)
        {
            var expected = y[i] > 0 ? dy[i] : 0.0;
            if (double.IsNaN(expected)) Assert.True(double.IsNaN(result[i]), $"element {i}");
            else Assert.Equal(expected, result[i], 6);
        }
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void GreaterMaskIsOneHalfAtTies(DType dtype)
    {
        var a = Make(dtype, new[] { 1.0, 2, 3, 4, 5, 6 }, 2, 3);
        var b = Make(dtype, new[] { 2.0, 2, 2 });
        var mask = GradientOps.GreaterMask(a, b);
        Shape(mask, 2, 3);
        Close(new[] { 0.0, 0.5, 1, 1, 1, 1 }, mask, dtype);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void ScatterLabelsIsTheAdjointOfGather(DType dtype)
    {
        var like = Tensor.Zeros(new[] { 2, 3 }, dtype);
        var s = GradientOps.ScatterLabels(Make(dtype, new[] { 7.0, -1 }), Labels.FromArray(2, 0), like);
        Shape(s, 2, 3);
        Close(new[] { 0.0, 0, 7, -1, 0, 0 }, s, dtype);
        Assert.Throws<ShapeMismatchException>(() => GradientOps.ScatterLabels(Make(dtype, new[] { 7.0 }), Labels.FromArray(2, 0), like));
    }

    [Fact]
    public void ReshapeLikeAndSeed()
    {
        var g = Tensor.Arange(6, DType.Float64);
        var x = Tensor.Zeros(new[] { 2, 3 }, DType.Float64);
        var r = GradientOps.ReshapeLike(g, x);
        Shape(r, 2, 3);
        Assert.Equal(5.0, r[1, 2]);
        Assert.Throws<ShapeMismatchException>(() => GradientOps.ReshapeLike(g, Tensor.Zeros(4)));

        var seed = GradientOps.Seed(x, null);
        Shape(seed, 2, 3);
        Assert.Equal(DType.Float64, seed.DType);
        Assert.All(seed.ToDoubleArray(), v => Assert.Equal(1.0, v));
        var given = Tensor.Full(new[] { 2, 3 }, 2, DType.Float64);
        Close(given.ToDoubleArray(), GradientOps.Seed(x, given));

        var loss = Tensor.Scalar(1, DType.Float64);
        var upstream = Tensor.Zeros(new[] { 3 }, DType.Float64);
        var error = Assert.Throws<ShapeMismatchException>(() => GradientOps.Seed(loss, upstream));
        Assert.Contains("loss", error.Message);
        Assert.Contains("upstream", error.Message);
        Assert.Contains("(3)", error.Message);
        Assert.Contains("()", error.Message);
    }
}
