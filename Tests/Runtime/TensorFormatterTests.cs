using Differentiable;

namespace Differentiable.Tests.Runtime;

public class TensorFormatterTests
{
    [Fact]
    public void MatrixPrintsLikePyTorch()
    {
        var t = Tensor.FromArray(new[] { 0.1234f, -1, 2, 3.5f }, 2, 2);
        Assert.Equal("tensor([[ 0.1234, -1.0000],\n        [ 2.0000,  3.5000]])", t.ToString());
    }

    [Fact]
    public void Float64GetsADTypeSuffixAndIntegersPrintWithATrailingDot()
    {
        Assert.Equal("tensor([1., 2.], dtype=float64)", Tensor.FromArray(new[] { 1.0, 2.0 }).ToString());
        Assert.Equal("tensor([ 1., -2., 10.])", Tensor.FromArray(new[] { 1f, -2, 10 }).ToString());
    }

    [Fact]
    public void ScalarsAndEmptyTensors()
    {
        Assert.Equal("tensor(3.5000)", Tensor.Scalar(3.5).ToString());
        Assert.Equal("tensor(2., dtype=float64)", Tensor.Scalar(2, DType.Float64).ToString());
        Assert.Equal("tensor([])", Tensor.Zeros(0).ToString());
    }

    [Fact]
    public void WideRangesSwitchToScientificNotation()
    {
        Assert.Equal("tensor([1.0000e-05, 1.0000e+00])", Tensor.FromArray(new[] { 1e-5f, 1f }).ToString());
        Assert.Equal("tensor([   nan,    inf,   -inf, 1.5000])", Tensor.FromArray(new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1.5f }).ToString());
    }

    [Fact]
    public void ThreeDimensionalTensorsSeparateBlocksWithABlankLine()
    {
        var t = Tensor.Arange(8).Reshape(2, 2, 2);
        Assert.Equal("tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])", t.ToString());
    }

    [Fact]
    public void LargeTensorsAreSummarisedWithTheirEdges()
    {
        var t = Tensor.Arange(2000).Reshape(2, 1000);
        Assert.Equal(
            "tensor([[   0.,    1.,    2., ...,  997.,  998.,  999.],\n        [1000., 1001., 1002., ..., 1997., 1998., 1999.]])",
            t.ToString());
        var tall = Tensor.Arange(1001 * 2).Reshape(1001, 2);
        var lines = tall.ToString().Split('\n');
        Assert.Equal(7, lines.Length);
        Assert.Equal("        ...,", lines[3]);
        Assert.Equal("tensor([[   0.,    1.],", lines[0]);
        Assert.Equal("        [2000., 2001.]])", lines[6]);
    }
}
