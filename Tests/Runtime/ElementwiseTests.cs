using Differentiable;
using static Differentiable.Tests.Runtime.TensorAssert;

namespace Differentiable.Tests.Runtime;

public class ElementwiseTests
{
    private static readonly double[] Xs = { -2, -0.5, 0, 0.5, 3 };

    private static Tensor X(DType dtype) => Make(dtype, Xs);

    private static double[] Map(Func<double, double> f) => Xs.Select(f).ToArray();

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void ArithmeticWithTensors(DType dtype)
    {
        var a = Make(dtype, new[] { 1.0, -2, 3 });
        var b = Make(dtype, new[] { 4.0, 5, -6 });
        Close(new[] { 5.0, 3, -3 }, Ops.Add(a, b), dtype);
        Close(new[] { -3.0, -7, 9 }, Ops.Sub(a, b), dtype);
        Close(new[] { 4.0, -10, -18 }, Ops.Mul(a, b), dtype);
        Close(new[] { 0.25, -0.4, -0.5 }, Ops.Div(a, b), dtype);
        Close(new[] { 4.0, 5, 3 }, Ops.Maximum(a, b), dtype);
        Close(new[] { 1.0, -2, -6 }, Ops.Minimum(a, b), dtype);
        Close(new[] { 5.0, 3, -3 }, a + b, dtype);
        Close(new[] { -3.0, -7, 9 }, a - b, dtype);
        Close(new[] { 4.0, -10, -18 }, a * b, dtype);
        Close(new[] { 0.25, -0.4, -0.5 }, a / b, dtype);
        Close(new[] { -1.0, 2, -3 }, -a, dtype);
        Close(new[] { -1.0, 2, -3 }, Ops.Neg(a), dtype);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void ArithmeticWithNumbersOnEitherSide(DType dtype)
    {
        var a = Make(dtype, new[] { 1.0, -2, 4 });
        Close(new[] { 3.5, 0.5, 6.5 }, Ops.Add(a, 2.5), dtype);
        Close(new[] { 3.5, 0.5, 6.5 }, Ops.Add(2.5, a), dtype);
        Close(new[] { -1.0, -4, 2 }, Ops.Sub(a, 2), dtype);
        Close(new[] { 1.0, 4, -2 }, Ops.Sub(2, a), dtype);
        Close(new[] { 3.0, -6, 12 }, Ops.Mul(a, 3), dtype);
        Close(new[] { 3.0, -6, 12 }, Ops.Mul(3, a), dtype);
        Close(new[] { 0.5, -1, 2 }, Ops.Div(a, 2), dtype);
        Close(new[] { 2.0, -1, 0.5 }, Ops.Div(2, a), dtype);
        Close(new[] { 3.0, 0, 6 }, a + 2, dtype);
        Close(new[] { 1.0, 4, -2 }, 2 - a, dtype);
        Close(new[] { 0.5, -1, 2 }, a / 2, dtype);
        Close(new[] { 2.0, -1, 0.5 }, 2 / a, dtype);
        Close(new[] { 10.0, -20, 40 }, 10 * a, dtype);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void MaximumMinimumAndGreaterMaskWithNumbers(DType dtype)
    {
        var a = Make(dtype, new[] { 1.0, -2, 4 });
        Close(new[] { 1.0, 0.5, 4 }, Ops.Maximum(a, 0.5), dtype);
        Close(new[] { 1.0, 0.5, 4 }, Ops.Maximum(0.5, a), dtype);
        Close(new[] { 0.5, -2, 0.5 }, Ops.Minimum(a, 0.5), dtype);
        Close(new[] { 0.5, -2, 0.5 }, Ops.Minimum(0.5, a), dtype);
        Close(new[] { 0.5, 0, 1 }, GradientOps.GreaterMask(a, 1), dtype);
        Close(new[] { 0.5, 1, 0 }, GradientOps.GreaterMask(1, a), dtype);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void UnaryFunctions(DType dtype)
    {
        var x = X(dtype);
        Close(Map(Math.Exp), Ops.Exp(x), dtype);
        Close(Map(Math.Abs), Ops.Abs(x), dtype);
        Close(Map(Math.Sin), Ops.Sin(x), dtype);
        Close(Map(Math.Cos), Ops.Cos(x), dtype);
        Close(Map(Math.Tanh), Ops.Tanh(x), dtype);
        Close(Map(v => 1 / (1 + Math.Exp(-v))), Ops.Sigmoid(x), dtype);
        Close(new[] { 0.0, 0, 0, 0.5, 3 }, Ops.Relu(x), dtype);
        Close(new[] { -1.0, -1, 0, 1, 1 }, Ops.Sign(x), dtype);
        Close(new[] { 0.0, 0, 0, 1, 1 }, Ops.Step(x), dtype);
        Close(new[] { -8.0, -0.125, 0, 0.125, 27 }, Ops.Pow(x, 3), dtype);

        var positive = Make(dtype, new[] { 0.25, 1, 4, Math.E });
        Close(new[] { Math.Log(0.25), 0, Math.Log(4), 1 }, Ops.Log(positive), dtype);
        Close(new[] { 0.5, 1, 2, Math.Sqrt(Math.E) }, Ops.Sqrt(positive), dtype);
        Close(new[] { 0.125, 1, 8, Math.Pow(Math.E, 1.5) }, Ops.Pow(positive, 1.5), dtype);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void InstanceMethodsMatchOps(DType dtype)
    {
        var x = X(dtype);
        Close(Ops.Exp(x).ToDoubleArray(), x.Exp(), dtype);
        Close(Ops.Abs(x).ToDoubleArray(), x.Abs(), dtype);
        Close(Ops.Sin(x).ToDoubleArray(), x.Sin(), dtype);
        Close(Ops.Cos(x).ToDoubleArray(), x.Cos(), dtype);
        Close(Ops.Tanh(x).ToDoubleArray(), x.Tanh(), dtype);
        Close(Ops.Sigmoid(x).ToDoubleArray(), x.Sigmoid(), dtype);
        Close(Ops.Relu(x).ToDoubleArray(), x.Relu(), dtype);
        Close(Ops.Pow(x, 2).ToDoubleArray(), x.Pow(2), dtype);
        Close(Ops.Sqrt(x.Abs()).ToDoubleArray(), x.Abs().Sqrt(), dtype);
        Close(Ops.Log(x.Abs() + 1).ToDoubleArray(), (x.Abs() + 1).Log(), dtype);
        Close(Xs, x.Detach(), dtype);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void SigmoidIsExactInBothTails(DType dtype)
    {
        var s = Ops.Sigmoid(Make(dtype, new[] { -1000.0, -50, 50, 1000 })).ToDoubleArray();
        Assert.All(s, v => Assert.False(double.IsNaN(v)));
        Assert.Equal(0.0, s[0]);
        Assert.Equal(Math.Exp(-50) / (1 + Math.Exp(-50)), s[1], dtype == DType.Float32 ? 1e-25 : 1e-30);
        Assert.Equal(1.0, s[2]);
        Assert.Equal(1.0, s[3]);
    }

    [Fact]
    public void LikeCreatesMatchShapeAndDType()
    {
        var x = Tensor.Zeros(new[] { 2, 3 }, DType.Float64);
        var ones = Ops.OnesLike(x);
        Shape(ones, 2, 3);
        Assert.Equal(DType.Float64, ones.DType);
        Assert.All(ones.ToDoubleArray(), v => Assert.Equal(1.0, v));
        var zeros = Ops.ZerosLike(Tensor.Ones(4));
        Shape(zeros, 4);
        Assert.Equal(DType.Float32, zeros.DType);
        Assert.All(zeros.ToDoubleArray(), v => Assert.Equal(0.0, v));
    }
}
