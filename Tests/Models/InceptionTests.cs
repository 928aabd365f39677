using Differentiable.Samples.Models;
using static Differentiable.Ops;

namespace Differentiable.Tests.Models;

/// <summary>
/// GoogLeNet's Inception block, the tutorial's GoogLeNet and the small InceptionNet: the four paths stacked in order,
/// the tutorial's stage shapes, and generated gradients against float64 central differences on narrowed copies.
/// </summary>
public class InceptionTests
{
    private static readonly Rng Data = new(96);

    [Fact]
    public void The_block_keeps_height_and_width_and_stacks_the_four_paths_in_order()
    {
        var block = new Inception(3, 2, (2, 3), (1, 2), 1, new Rng(5));
        var x = Tensor.Randn(new[] { 2, 3, 5, 6 }, Data);
        var y = block.Forward(x);
        Assert.Equal(8, block.OutChannels);
        Assert.Equal(new[] { 2, 8, 5, 6 }, y.Shape);
        // The first two channels are the 1×1 path, the last one the pooling path, as torch.cat((p1, p2, p3, p4), dim=1).
        var p1 = Relu(Conv2d(x, block.P1W, block.P1B));
        var p4 = Relu(Conv2d(MaxPool2d(x, 3, stride: 1, padding: 1), block.P4W, block.P4B));
        var (generated, _) = block.ForwardWithGradients(x);
        Assert.Equal(p1.ToDoubleArray(), GradientOps.SliceLike(y, p1, axis: 1).ToDoubleArray());
        Assert.Equal(p4.ToDoubleArray(), GradientOps.SliceLike(y, p4, axis: 1, fromEnd: true).ToDoubleArray());
        Assert.Equal(y.ToDoubleArray(), generated.ToDoubleArray());
    }

    [Fact]
    public void Block_gradients_match_central_differences()
    {
        var block = new Inception(2, 1, (2, 2), (1, 1), 2, new Rng(7));
        var x = Tensor.Randn(new[] { 2, 2, 4, 5 }, Data, DType.Float64);
        ModelGradientTests.CheckModel(block, () => block.Forward(x), u => block.ForwardWithGradients(x, u).Gradients);
    }

    [Fact]
    public void Narrowed_GoogLeNet_gradients_match_central_differences()
    {
        // Every channel count divided by 64 (1,815 parameters, each element checked) on 32×32 images: after the five
        // stride-2 stages the global pool sees a 1×1 map, so every layer of the tutorial's net is on the path.
        var net = new GoogLeNet(narrow: 64, seed: 3);
        var x = Tensor.Uniform(new[] { 2, 1, 32, 32 }, 0, 1, Data, DType.Float64);
        var y = Labels.FromArray(3, 8);
        ModelGradientTests.CheckModel(net, () => net.Loss(x, y), u => net.LossWithGradients(x, y, u).Gradients);
    }

    [Fact]
    public void Narrowed_InceptionNet_gradients_match_central_differences()
    {
        // Width 2 (1,158 parameters) and one image: every element is checked, in seconds rather than a minute.
        var net = new InceptionNet(width: 2, seed: 3);
        var x = Tensor.Uniform(new[] { 1, 784 }, 0, 1, Data, DType.Float64);
        var y = Labels.FromArray(6);
        ModelGradientTests.CheckModel(net, () => net.Loss(x, y), u => net.LossWithGradients(x, y, u).Gradients);
    }

    [Fact]
    public void GoogLeNet_generated_loss_equals_the_eager_loss()
    {
        var net = new GoogLeNet(narrow: 8, seed: 2);
        var x = Tensor.Uniform(new[] { 2, 1, 64, 64 }, 0, 1, Data);
        var y = Labels.FromArray(0, 9);
        var (loss, gradients) = net.LossWithGradients(x, y);
        Assert.Equal(net.Loss(x, y).Item(), loss.Item(), 5);
        Assert.Equal(net.Parameters().Select(p => p.Value.Shape), gradients.All.Select(g => g.Gradient.Shape));
    }
}
