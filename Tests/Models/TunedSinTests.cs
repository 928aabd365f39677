using Differentiable.Samples.Models;

namespace Differentiable.Tests.Models;

/// <summary>The seed's TunedSin numbers, for the derived gradient and for the hand-written backward.</summary>
public class TunedSinTests
{
    private static Tensor T(params double[] values) => Tensor.FromArray(values, values.Length);

    public static TheoryData<bool> Variants => new() { false, true };

    private static (Tensor Y, Tensor Gx, Tensor Gw) Run(bool handWritten, Tensor x, Tensor w, Tensor upstream)
    {
        if (handWritten)
        {
            var (y, g) = TunedSin.ApplyHandWrittenWithGradients(x, w, upstream);
            return (y, g.x, g.w);
        }
        var (y2, g2) = TunedSin.ApplyWithGradients(x, w, upstream);
        return (y2, g2.x, g2.w);
    }

    private static void Close(double[] expected, Tensor actual) =>
        Assert.All(expected.Zip(actual.ToDoubleArray()), p => Assert.Equal(p.First, p.Second, 4));

    [Theory]
    [MemberData(nameof(Variants))]
    public void FirstSeedExample(bool handWritten)
    {
        var (y, gx, gw) = Run(handWritten, T(1, 2), T(2, 3), T(1.2, 1.6));
        Close(new[] { 0.9093, -0.2794 }, y);
        Close(new[] { -0.9988, 4.6088 }, gx);
        Close(new[] { -0.4994, 3.0725 }, gw);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void SecondSeedExample(bool handWritten)
    {
        var (_, gx, gw) = Run(handWritten, T(-1, 0.1), T(0.2, 2.1), T(-1, 3.4));
        Close(new[] { -0.1960, 6.9831 }, gx);
        Close(new[] { 0.9801, 0.3325 }, gw);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void ZeroUpstreamGivesZeroGradients(bool handWritten)
    {
        var (_, gx, gw) = Run(handWritten, T(1, 2), T(2, 3), T(0, 0));
        Assert.All(gx.ToDoubleArray().Concat(gw.ToDoubleArray()), v => Assert.Equal(0.0, v));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void GradCheckPasses(bool handWritten)
    {
        var rng = new Rng(11);
        var inputs = new[] { Tensor.Randn(new[] { 3, 4 }, rng, DType.Float64), Tensor.Randn(new[] { 3, 4 }, rng, DType.Float64) };
        var result = GradCheck.Check(
            t => TunedSin.Apply(t[0], t[1]),
            (t, u) => { var (_, gx, gw) = Run(handWritten, t[0], t[1], u); return new[] { gx, gw }; },
            inputs);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void AWrongHandWrittenBackwardIsCaught()
    {
        // GradCheck must fail a backward that forgets the chain rule's inner factor, as torch.autograd.gradcheck does.
        var rng = new Rng(5);
        var inputs = new[] { Tensor.Randn(new[] { 4 }, rng, DType.Float64), Tensor.Randn(new[] { 4 }, rng, DType.Float64) };
        var result = GradCheck.Check(
            t => TunedSin.Apply(t[0], t[1]),
            (t, u) => new[] { u * Ops.Cos(t[0] * t[1]), u * t[0] * Ops.Cos(t[0] * t[1]) },
            inputs);
        Assert.False(result.Passed);
        Assert.Equal(0, result.InputIndex);
    }
}
