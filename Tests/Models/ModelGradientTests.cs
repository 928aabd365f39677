using Differentiable.Samples.Models;

namespace Differentiable.Tests.Models;

/// <summary>
/// The sample models' generated gradients against float64 central differences (relative error ≤ 1e-6), and the
/// generated value against the eager value. Hidden layers are narrowed so every parameter element can be checked.
/// </summary>
public class ModelGradientTests
{
    private static readonly Rng Data = new(2024);
    private static readonly Tensor X = Tensor.Uniform(new[] { 3, 784 }, 0, 1, Data, DType.Float64);
    private static readonly Labels Y = Labels.FromArray(7, 0, 3);

    /// <summary>Checks ∂Loss/∂(every parameter) of a model converted to float64.</summary>
    internal static void CheckModel(IModule model, Func<Tensor> loss, Func<Tensor, IGradients> lossWithGradients)
    {
        model.ConvertTo(DType.Float64);
        var parameters = model.Parameters();
        void Set(Tensor[] values)
        {
            for (var i = 0; i < values.Length; i++) parameters[i].Value = values[i];
        }
        var initial = parameters.Select(p => p.Value).ToArray();
        var result = GradCheck.Check(
            values => { Set(values); return loss(); },
            (values, upstream) =>
            {
                Set(values);
                var all = lossWithGradients(upstream).All;
                Assert.Equal(parameters.Select(p => p.Name), all.Select(g => g.Name));
                return all.Select(g => g.Gradient).ToArray();
            },
            initial);
        Set(initial);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void FlatNet()
    {
        var net = new FlatNet(hidden1: 6, hidden2: 5, seed: 3);
        CheckModel(net, () => net.Loss(X, Y), u => net.LossWithGradients(X, Y, u).Gradients);
    }

    [Fact]
    public void SinNet()
    {
        var net = new SinNet(hidden: 5, seed: 3);
        var rng = new Rng(9);
        net.F1 = Tensor.Uniform(new[] { 1, 5 }, 0.5, 1.5, rng);
        net.F2 = Tensor.Uniform(new[] { 1, 5 }, 0.5, 1.5, rng);
        CheckModel(net, () => net.Loss(X, Y), u => net.LossWithGradients(X, Y, u).Gradients);
    }

    [Fact]
    public void TwoLayerNN()
    {
        var net = new TwoLayerNN(hidden: 4, seed: 3);
        CheckModel(net, () => net.Loss(X, Y), u => net.LossWithGradients(X, Y, u).Gradients);
    }

    [Fact]
    public void SoftmaxRegression()
    {
        var model = new SoftmaxRegression(inputs: 784, classes: 10);
        var rng = new Rng(4);
        model.W = Tensor.Randn(new[] { 784, 10 }, rng) * 0.05;
        model.B = Tensor.Randn(new[] { 10 }, rng) * 0.05;
        CheckModel(model, () => model.Loss(X, Y), u => model.LossWithGradients(X, Y, u).Gradients);
    }

    [Fact]
    public void LinearRegression()
    {
        var model = new LinearRegression(features: 2, seed: 5);
        var rng = new Rng(6);
        var x = Tensor.Randn(new[] { 8, 2 }, rng, DType.Float64);
        var y = Tensor.Randn(new[] { 8, 1 }, rng, DType.Float64);
        CheckModel(model, () => model.Loss(x, y), u => model.LossWithGradients(x, y, u).Gradients);
    }

    [Fact]
    public void GeneratedValueEqualsEagerValueInFloat32()
    {
        var net = new FlatNet(seed: 8);
        var x = X.To(DType.Float32);
        var (loss, gradients) = net.LossWithGradients(x, Y);
        Assert.Equal(DType.Float32, loss.DType);
        Assert.Equal(net.Loss(x, Y).Item(), loss.Item(), 6);
        // Eager LogSoftmax and the generated x − logsumexp(x) round differently in the last bit.
        Assert.All(net.Forward(x).ToFloatArray().Zip(net.ForwardWithGradients(x).Value.ToFloatArray()), p => Assert.Equal(p.First, p.Second, 1e-5f));
        Assert.All(gradients.All, g => Assert.Equal(DType.Float32, g.Gradient.DType));
    }

    [Fact]
    public void SubModuleParametersAreReachedByPath()
    {
        var net = new TwoLayerNN(seed: 1);
        Assert.Equal(new[] { "L1.W", "L1.B", "L2.W", "L2.B" }, net.Parameters().Select(p => p.Name));
        var (_, g) = net.LossWithGradients(X.To(DType.Float32), Y);
        Assert.Equal(net.L1.W.Shape, g.L1_W.Shape);
        Assert.Equal(net.L2.B.Shape, g.L2_B.Shape);
    }

    [Fact]
    public void ShapeMismatchNamesTheTensors()
    {
        var net = new FlatNet(seed: 1);
        var wrong = Tensor.Zeros(2, 100);
        var error = Assert.ThrowsAny<ArgumentException>(() => net.LossWithGradients(wrong, Labels.FromArray(1, 2)));
        Assert.Contains("W1", error.Message);
        Assert.Contains("(2, 100)", error.Message);
        Assert.Contains("(784, 128)", error.Message);
    }
}
