namespace Differentiable.Tests.Runtime;

/// <summary>MatMul's adjoints with a transposed operand equal MatMul of the explicit transpose, exactly.</summary>
public class TransposedMatMulTests
{
    [Theory]
    [InlineData(DType.Float32, 7, 13, 5)]
    [InlineData(DType.Float64, 100, 78, 12)]
    [InlineData(DType.Float32, 1, 1, 1)]
    public void EqualMatMulOfTheTranspose(DType dtype, int k, int m, int n)
    {
        var rng = new Rng(3);
        var a = Tensor.Randn(new[] { k, m }, rng, dtype);
        var b = Tensor.Randn(new[] { k, n }, rng, dtype);
        Assert.Equal(Ops.MatMul(Ops.Transpose(a), b).ToDoubleArray(), GradientOps.MatMulTransposeA(a, b).ToDoubleArray());

        var c = Tensor.Randn(new[] { m, k }, rng, dtype);
        var d = Tensor.Randn(new[] { n, k }, rng, dtype);
        Assert.Equal(Ops.MatMul(c, Ops.Transpose(d)).ToDoubleArray(), GradientOps.MatMulTransposeB(c, d).ToDoubleArray());
    }

    [Fact]
    public void MismatchNamesBothTensors()
    {
        var x = Tensor.Zeros(4, 3);
        var upstream = Tensor.Zeros(5, 2);
        var error = Assert.Throws<ShapeMismatchException>(() => GradientOps.MatMulTransposeA(x, upstream));
        Assert.Contains("x", error.Message);
        Assert.Contains("upstream", error.Message);
        Assert.Contains("(5, 2)", error.Message);
    }
}
