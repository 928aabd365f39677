using Differentiable.Samples.Models;

namespace Differentiable.Tests.Models;

/// <summary>The convolutional samples: gradients against float64 central differences, and AlexNet's summary shapes.</summary>
public class ConvModelTests
{
    private static readonly Rng Data = new(77);
    private static readonly Tensor X = Tensor.Uniform(new[] { 3, 784 }, 0, 1, Data, DType.Float64);
    private static readonly Labels Y = Labels.FromArray(7, 0, 3);

    [Fact]
    public void CnnGradientsMatchCentralDifferences()
    {
        // Narrowed to 2 and 3 channels so every parameter element can be checked; the layers are the seed's.
        var net = new CNN(channels1: 2, channels2: 3, seed: 3);
        ModelGradientTests.CheckModel(net, () => net.Loss(X, Y), u => net.LossWithGradients(X, Y, u).Gradients);
    }

    [Fact]
    public void DropoutMlpGradientsMatchCentralDifferencesWithFixedMasks()
    {
        var net = new DropoutMLP(hidden: 5, seed: 3);
        var (mask1, mask2) = net.Masks(3, new Rng(4), DType.Float64);
        ModelGradientTests.CheckModel(net, () => net.Loss(X, Y, mask1, mask2), u => net.LossWithGradients(X, Y, mask1, mask2, u).Gradients);
    }

    [Fact]
    public void GeneratedValuesEqualEagerValues()
    {
        var x = X.To(DType.Float32);
        var cnn = new CNN(seed: 2);
        Assert.Equal(cnn.Loss(x, Y).Item(), cnn.LossWithGradients(x, Y).Value.Item(), 5);
        var lenet = new LeNet(seed: 2);
        var (loss, gradients) = lenet.LossWithGradients(x, Y);
        Assert.Equal(lenet.Loss(x, Y).Item(), loss.Item(), 5);
        Assert.Equal(lenet.Parameters().Select(p => p.Value.Shape), gradients.All.Select(g => g.Gradient.Shape));
    }

    [Fact]
    public void DropoutOffIsTheIdentity()
    {
        var net = new DropoutMLP(seed: 5);
        var x = X.To(DType.Float32);
        var (ones1, ones2) = net.NoDropout(3);
        var (mask1, mask2) = net.Masks(3, new Rng(1));
        Assert.NotEqual(net.Loss(x, Y, ones1, ones2).Item(), net.Loss(x, Y, mask1, mask2).Item());
        Assert.Equal(net.Loss(x, Y, ones1, ones2).Item(), net.Loss(x, Y, Tensor.Ones(3, 256), Tensor.Ones(3, 256)).Item());
    }
}
