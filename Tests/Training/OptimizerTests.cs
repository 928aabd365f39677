using Differentiable.Training;

namespace Differentiable.Tests.Training;

/// <summary>Optimizer updates pinned to values computed by hand with PyTorch's update formulas (float64, one scalar parameter).</summary>
public class OptimizerTests
{
    private sealed class OneParameter : IModule
    {
        public Tensor P = Tensor.FromArray(new[] { 1.0 }, 1);
        public IReadOnlyList<NamedParameter> Parameters() => new[] { new NamedParameter("P", () => P, v => P = v) };
    }

    private sealed class Gradient(double g) : IGradients
    {
        public IReadOnlyList<(string Name, Tensor Gradient)> All { get; } = new[] { ("P", Tensor.FromArray(new[] { g }, 1)) };
    }

    private static double[] Run(Func<IModule, Optimizer> create, params double[] gradients)
    {
        var model = new OneParameter();
        var optimizer = create(model);
        return gradients.Select(g => { optimizer.Step(new Gradient(g)); return model.P.Item(); }).ToArray();
    }

    private static void Equal(double[] expected, double[] actual) =>
        Assert.All(expected.Zip(actual), p => Assert.Equal(p.First, p.Second, 12));

    [Fact]
    public void SgdWithMomentum() =>
        Equal(new[] { 0.95, 0.875 }, Run(m => new Sgd(m, 0.1, momentum: 0.5), 0.5, 0.5));

    [Fact]
    public void SgdWithMomentumAndWeightDecay() =>
        Equal(new[] { 0.94, 0.8506 }, Run(m => new Sgd(m, 0.1, momentum: 0.5, weightDecay: 0.1), 0.5, 0.5));

    [Fact]
    public void SgdWithNesterov() =>
        Equal(new[] { 0.905, 0.7695 }, Run(m => new Sgd(m, 0.1, momentum: 0.9, nesterov: true), 0.5, 0.5));

    [Fact]
    public void SgdWithDampeningSkipsItOnTheFirstStep() =>
        Equal(new[] { 0.95, 0.88 }, Run(m => new Sgd(m, 0.1, momentum: 0.9, dampening: 0.5), 0.5, 0.5));

    [Fact]
    public void PlainSgd() =>
        Equal(new[] { 0.95, 0.98 }, Run(m => new Sgd(m, 0.1), 0.5, -0.3));

    [Fact]
    public void AdamWithWeightDecay() =>
        Equal(new[] { 0.9000000019607843, 0.8787012438702138, 0.8417716298330955 },
            Run(m => new Adam(m, 0.1, weightDecay: 0.01), 0.5, -0.3, 0.2));

    private sealed class LargeParameter(Tensor p) : IModule
    {
        public Tensor P = p;
        public IReadOnlyList<NamedParameter> Parameters() => new[] { new NamedParameter("P", () => P, v => P = v) };
    }

    private sealed class LargeGradient(Tensor g) : IGradients
    {
        public IReadOnlyList<(string Name, Tensor Gradient)> All { get; } = new[] { ("P", g) };
    }

    /// <summary>
    /// A parameter large enough to be updated in chunks on several cores, its length no multiple of a chunk: every
    /// element gets exactly the one-element formula (as float32 arithmetic), the last ones included.
    /// </summary>
    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.9, false)]
    [InlineData(0.9, true)]
    public void SgdOnALargeParameterUpdatesEveryElementByTheFormula(double momentum, bool nesterov)
    {
        const int length = 4 * 64 * 150 + 3;
        var rng = new Rng(5);
        var start = Tensor.Uniform(new[] { length }, -1, 1, rng);
        var model = new LargeParameter(Tensor.FromArray(start.ToFloatArray(), length));
        var optimizer = new Sgd(model, 0.1, momentum: momentum, weightDecay: 0.01, nesterov: nesterov);
        var gradients = new[] { Tensor.Uniform(new[] { length }, -1, 1, rng), Tensor.Uniform(new[] { length }, -1, 1, rng) };
        foreach (var g in gradients) optimizer.Step(new LargeGradient(g));
        var p = start.ToFloatArray();
        var b = new float[length];
        for (var step = 0; step < gradients.Length; step++)
        {
            var g = gradients[step].ToFloatArray();
            for (var i = 0; i < length; i++)
            {
                var d = g[i] + 0.01f * p[i];
                if (momentum == 0)
                {
                    p[i] -= 0.1f * d;
                    continue;
                }
                b[i] = step == 0 ? d : 0.9f * b[i] + 1f * d;
                p[i] -= 0.1f * (nesterov ? d + 0.9f * b[i] : b[i]);
            }
        }
        Assert.Equal(p, model.P.ToFloatArray());
    }

    [Fact]
    public void MismatchedGradientShapeIsRefusedWithTheParameterName()
    {
        var model = new OneParameter();
        var optimizer = new Sgd(model, 0.1);
        var wrong = new WrongShape();
        var error = Assert.Throws<ArgumentException>(() => optimizer.Step(wrong));
        Assert.Contains("P", error.Message);
        Assert.Contains("(2)", error.Message);
    }

    private sealed class WrongShape : IGradients
    {
        public IReadOnlyList<(string Name, Tensor Gradient)> All { get; } = new[] { ("P", Tensor.FromArray(new[] { 1.0, 2.0 }, 2)) };
    }

    private sealed class Vector37 : IModule
    {
        public Tensor P = Tensor.FromArray(Enumerable.Range(0, 37).Select(i => (float)Math.Sin(i)).ToArray(), 37);
        public IReadOnlyList<NamedParameter> Parameters() => new[] { new NamedParameter("P", () => P, v => P = v) };
    }

    private sealed class Gradient37(int step) : IGradients
    {
        public IReadOnlyList<(string Name, Tensor Gradient)> All { get; } =
            new[] { ("P", Tensor.FromArray(Enumerable.Range(0, 37).Select(i => (float)Math.Cos(i * (step + 1))).ToArray(), 37)) };
    }

    /// <summary>The SIMD loops update every element as the formulas say, tail included (37 is no multiple of a vector).</summary>
    [Fact]
    public void EveryElementFollowsTheFormula()
    {
        var sgdModel = new Vector37();
        var adamModel = new Vector37();
        var sgd = new Sgd(sgdModel, 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true);
        var adam = new Adam(adamModel, 0.01, weightDecay: 0.01);
        var p = sgdModel.P.ToDoubleArray();
        var q = adamModel.P.ToDoubleArray();
        var b = new double[37];
        var m = new double[37];
        var v = new double[37];
        for (var step = 0; step < 3; step++)
        {
            sgd.Step(new Gradient37(step));
            adam.Step(new Gradient37(step));
            var g = new Gradient37(step).All[0].Gradient.ToDoubleArray();
            for (var i = 0; i < 37; i++)
            {
                var d = g[i] + 0.01 * p[i];
                b[i] = step == 0 ? d : 0.9 * b[i] + d;
                p[i] -= 0.1 * (d + 0.9 * b[i]);
                var e = g[i] + 0.01 * q[i];
                m[i] = 0.9 * m[i] + 0.1 * e;
                v[i] = 0.999 * v[i] + 0.001 * e * e;
                q[i] -= 0.01 / (1 - Math.Pow(0.9, step + 1)) * m[i] / (Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(0.999, step + 1)) + 1e-8);
            }
        }
        Assert.All(p.Zip(sgdModel.P.ToDoubleArray()), x => Assert.Equal(x.First, x.Second, 5));
        Assert.All(q.Zip(adamModel.P.ToDoubleArray()), x => Assert.Equal(x.First, x.Second, 5));
    }
}
