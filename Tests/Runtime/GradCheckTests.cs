using Differentiable;

namespace Differentiable.Tests.Runtime;

public class GradCheckTests
{
    private static Tensor[] Inputs(ulong seed, params int[][] shapes)
    {
        var rng = new Rng(seed);
        return shapes.Select(s => Tensor.Randn(s, rng, DType.Float64)).ToArray();
    }

    [Fact]
    public void ACorrectVjpPasses()
    {
        // f(a, b) = sin(a) ⊙ b, broadcasting b (4) over a (3, 4).
        var result = GradCheck.Check(
            t => Ops.Mul(Ops.Sin(t[0]), t[1]),
            (t, u) => new[] { u * Ops.Cos(t[0]) * t[1], GradientOps.SumToShapeOf(u * Ops.Sin(t[0]), t[1]) },
            Inputs(1, new[] { 3, 4 }, new[] { 4 }));
        Assert.True(result.Passed, result.ToString());
        Assert.StartsWith("gradcheck passed: worst input ", result.ToString());
        Assert.InRange(result.InputIndex, 0, 1);
    }

    [Fact]
    public void MatMulAndReductionVjpsPass()
    {
        // L = Σ u ⊙ LogSumExp(a·b, axis 1): the softmax-weighted upstream flows back through MatMul.
        var result = GradCheck.Check(
            t => Ops.LogSumExp(Ops.MatMul(t[0], t[1]), axis: 1),
            (t, u) =>
            {
                var z = Ops.MatMul(t[0], t[1]);
                var dz = GradientOps.ExpandAlong(u, z, 1, false) * Ops.Softmax(z, axis: 1);
                return new[] { Ops.MatMul(dz, Ops.Transpose(t[1])), Ops.MatMul(Ops.Transpose(t[0]), dz) };
            },
            Inputs(2, new[] { 3, 4 }, new[] { 4, 5 }));
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void AWrongVjpFailsAndReportsTheWorstElement()
    {
        var inputs = Inputs(3, new[] { 2, 3 });
        // d/dx x² is 2x; this backward forgets the 2 everywhere and additionally breaks element [1, 2].
        var result = GradCheck.Check(
            t => Ops.Mul(t[0], t[0]),
            (t, u) =>
            {
                var g = u * t[0];
                g[1, 2] += 100;
                return new[] { g };
            },
            inputs);
        Assert.False(result.Passed);
        Assert.Equal(0, result.InputIndex);
        Assert.Equal(5, result.ElementIndex);
        Assert.Equal(new[] { 1, 2 }, result.ElementPosition);
        Assert.True(result.AbsoluteError > 50, result.ToString());
        Assert.Equal(Math.Abs(result.Analytic - result.Numeric), result.AbsoluteError, 1e-12);
        Assert.StartsWith("gradcheck FAILED: worst input 0 element [1, 2]: analytic ", result.ToString());
        Assert.Contains("relative error", result.ToString());
    }

    [Fact]
    public void NumericGradientMatchesTheTrueDerivative()
    {
        var x = Tensor.FromArray(new[] { 0.3, -1.2 });
        var result = GradCheck.Check(
            t => Ops.Exp(t[0]),
            (t, u) => new[] { u * Ops.Exp(t[0]) },
            new[] { x });
        Assert.True(result.Passed, result.ToString());
        Assert.Equal(result.Analytic, result.Numeric, 1e-6);
        Assert.True(result.RelativeError < 1e-6);
    }

    [Fact]
    public void TheCallersInputsAreNotChanged()
    {
        var inputs = Inputs(4, new[] { 5 });
        var before = inputs[0].ToDoubleArray();
        GradCheck.Check(t => Ops.Tanh(t[0]), (t, u) => new[] { u * (1 - Ops.Tanh(t[0]) * Ops.Tanh(t[0])) }, inputs);
        Assert.Equal(before, inputs[0].ToDoubleArray());
    }

    [Fact]
    public void SameSeedGivesTheSameReport()
    {
        Func<Tensor[], Tensor> f = t => Ops.Sin(t[0]);
        Func<Tensor[], Tensor, Tensor[]> wrong = (t, u) => new[] { u * Ops.Sin(t[0]) };
        var a = GradCheck.Check(f, wrong, Inputs(5, new[] { 4 }), seed: 9);
        var b = GradCheck.Check(f, wrong, Inputs(5, new[] { 4 }), seed: 9);
        Assert.Equal(a.ToString(), b.ToString());
    }

    [Fact]
    public void AssertThrowsWithTheReportWhenTheCheckFails()
    {
        var inputs = Inputs(6, new[] { 3 });
        var error = Assert.Throws<GradCheckException>(() =>
            GradCheck.Assert(t => Ops.Exp(t[0]), (t, u) => new[] { u }, inputs));
        Assert.False(error.Result.Passed);
        Assert.Equal(error.Result.ToString(), error.Message);
        var ok = GradCheck.Assert(t => Ops.Exp(t[0]), (t, u) => new[] { u * Ops.Exp(t[0]) }, inputs);
        Assert.True(ok.Passed);
    }

    [Fact]
    public void Float32InputsAreRejected()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            GradCheck.Check(t => t[0], (t, u) => new[] { u }, new[] { Tensor.Zeros(3) }));
        Assert.Contains("Float64", error.Message);
    }
}
