using Differentiable;
using static Differentiable.Tests.Runtime.TensorAssert;

namespace Differentiable.Tests.Runtime;

public class TensorBasicsTests
{
    [Fact]
    public void ZerosOnesFullAndArangeHaveTheirShapeDTypeAndValues()
    {
        var z = Tensor.Zeros(2, 3);
        Shape(z, 2, 3);
        Assert.Equal(DType.Float32, z.DType);
        Assert.Equal(2, z.Rank);
        Assert.Equal(6, z.Length);
        Close(new double[6], z);

        var o = Tensor.Ones(new[] { 4 }, DType.Float64);
        Assert.Equal(DType.Float64, o.DType);
        Close(new[] { 1.0, 1, 1, 1 }, o);

        Close(new[] { 2.5, 2.5 }, Tensor.Full(new[] { 2 }, 2.5, DType.Float64));
        Close(new[] { 0.0, 1, 2, 3 }, Tensor.Arange(4));
        Assert.Equal(DType.Float32, Tensor.Zeros(new[] { 1 }, DType.Float32).DType);
    }

    [Fact]
    public void ScalarIsRankZeroWithOneElement()
    {
        var s = Tensor.Scalar(3.25, DType.Float64);
        Assert.Equal(0, s.Rank);
        Assert.Equal(1, s.Length);
        Assert.Equal("()", s.ShapeString());
        Assert.Equal(3.25, s.Item());
        Assert.Equal(3.25, s[Array.Empty<int>()]);
    }

    [Fact]
    public void FromArrayCopiesAndChecksTheShape()
    {
        var data = new[] { 1f, 2, 3, 4, 5, 6 };
        var t = Tensor.FromArray(data, 2, 3);
        data[0] = 100;
        Assert.Equal(1.0, t[0, 0]);
        Assert.Equal(6.0, t[1, 2]);
        Assert.Equal(6.0, t[-1, -1]);
        Assert.Equal("(2, 3)", t.ShapeString());
        Shape(Tensor.FromArray(new[] { 1.0, 2, 3 }), 3);

        var error = Assert.Throws<ShapeMismatchException>(() => Tensor.FromArray(new[] { 1.0, 2, 3 }, 2, 2));
        Assert.Contains("3 values", error.Message);
        Assert.Contains("(2, 2)", error.Message);
    }

    [Fact]
    public void IndexerWritesInPlaceAndChecksBounds()
    {
        var t = Tensor.Zeros(new[] { 2, 2 }, DType.Float64);
        t[1, 0] = 7;
        Assert.Equal(new[] { 0.0, 0, 7, 0 }, t.ToDoubleArray());
        Assert.Throws<IndexOutOfRangeException>(() => t[2, 0]);
        Assert.Throws<ArgumentException>(() => t[1]);
    }

    [Fact]
    public void ItemNeedsExactlyOneElement()
    {
        Assert.Equal(5.0, Tensor.FromArray(new[] { 5f }, 1, 1).Item());
        var error = Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(2, 3).Item());
        Assert.Contains("(2, 3)", error.Message);
    }

    [Fact]
    public void ShapeCannotBeMutatedThroughTheProperty()
    {
        var t = Tensor.Zeros(2, 3);
        Assert.False(t.Shape is int[]);
        Assert.Throws<NotSupportedException>(() => ((IList<int>)t.Shape)[0] = 5);
    }

    [Fact]
    public void ConversionsCopyAndChangeDType()
    {
        var f = Tensor.FromArray(new[] { 0.5f, -1.25f }, 2);
        var d = f.To(DType.Float64);
        Assert.Equal(DType.Float64, d.DType);
        Assert.Equal(new[] { 0.5, -1.25 }, d.ToDoubleArray());
        Assert.Equal(new[] { 0.5f, -1.25f }, d.ToFloatArray());
        Assert.Equal(new[] { 0.5, -1.25 }, d.ReadOnlySpan<double>().ToArray());

        var same = f.To(DType.Float32);
        same.Span<float>()[0] = 9;
        Assert.Equal(0.5f, f.ReadOnlySpan<float>()[0]);

        var clone = d.Clone();
        clone[0] = 3;
        Assert.Equal(0.5, d[0]);
        Assert.Throws<InvalidOperationException>(() => f.Span<double>());
    }

    [Fact]
    public void RandomCreationIsReproducibleAndInRange()
    {
        var a = Tensor.Rand(new[] { 1000 }, new Rng(3));
        var b = Tensor.Rand(new[] { 1000 }, new Rng(3));
        Assert.Equal(a.ToFloatArray(), b.ToFloatArray());
        Assert.All(a.ToDoubleArray(), v => Assert.InRange(v, 0.0, 0.99999999));

        var u = Tensor.Uniform(new[] { 1000 }, -2, 3, new Rng(4), DType.Float64);
        Assert.All(u.ToDoubleArray(), v => Assert.True(v >= -2 && v < 3));

        var n = Tensor.Randn(new[] { 20000 }, new Rng(5), DType.Float64).ToDoubleArray();
        var mean = n.Average();
        var variance = n.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.03, 0.03);
        Assert.InRange(variance, 0.95, 1.05);
    }

    [Fact]
    public void InitLinearUsesTorchBoundsAndShapes()
    {
        var w = Init.Linear(16, 3, new Rng(1));
        var b = Init.LinearBias(16, 3, new Rng(1));
        Shape(w, 16, 3);
        Shape(b, 3);
        Assert.All(w.ToDoubleArray(), v => Assert.InRange(v, -0.25, 0.25));
        Assert.Contains(w.ToDoubleArray(), v => Math.Abs(v) > 0.2);
        Assert.All(b.ToDoubleArray(), v => Assert.InRange(v, -0.25, 0.25));
    }

    [Fact]
    public void A_tensor_too_large_for_an_array_says_its_shape_and_the_limit()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(100000, 100000));
        Assert.Contains("(100000, 100000)", e.Message);
        Assert.Contains("10,000,000,000 elements", e.Message);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(65536, 65536, 65536));
        Assert.Equal(0, Tensor.Zeros(2147483600, 2, 0).Length);   // no elements, however long the other sides
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => Tensor.Zeros(2147483600, 2, -1)).Message);
    }
}
