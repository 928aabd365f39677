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
}
