using Differentiable.Samples.Models;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.Models;

/// <summary>
/// The generated <c>{M}Summary</c> (issue 13): one forward run records each layer (a statement of the body, or a call of
/// a sub-module's method) with its output shape and the parameters it reads; <see cref="Summary"/> adds the totals and
/// the memory of a batch.
/// </summary>
public class GeneratedSummaryTests
{
    private static (string Title, string Shape, long Parameters)[] Rows(Summary summary) =>
        summary.Layers.Select(l => (l.Title, S(l.Shape.ToArray()), l.Parameters)).ToArray();

    /// <summary>A shape as text, which tuples compare by value.</summary>
    private static string S(params int[] shape) => string.Join("×", shape);

    [Fact]
    public void CnnHasOneLayerPerStatementAndOnePerCallOfItsLayers()
    {
        var net = new CNN();
        var summary = new Summary(net);
        var value = net.ForwardSummary(summary, Tensor.Zeros(64, 784));
        Assert.Equal(new[] { 64, 10 }, value.Shape.ToArray());
        Assert.Equal(new (string, string, long)[]
        {
            // Each call of one of the package's layers is a row of its own, counting that layer's parameters.
            ("image (Reshape)", S(64, 1, 28, 28), 0),
            ("Conv1 (Conv2d)", S(64, 10, 24, 24), 10 * 25 + 10),
            ("Pool (MaxPool2d)", S(64, 10, 12, 12), 0),
            ("Conv2 (Conv2d)", S(64, 20, 8, 8), 20 * 10 * 25 + 20),
            ("Pool (MaxPool2d)", S(64, 20, 4, 4), 0),
            ("Flat (Flatten)", S(64, 320), 0),
            ("Fc (Linear)", S(64, 10), 320 * 10 + 10),
            ("forward (LogSoftmax)", S(64, 10), 0),
        }, Rows(summary));
        Assert.Equal(net.ParameterCount(), summary.TotalParameters);
        Assert.Equal(summary.Layers.Sum(l => l.Parameters), summary.TotalParameters);
        Assert.Equal(new[] { 64, 784 }, summary.Inputs.Single().Shape);
        // float32 outputs of every layer, and their gradients the same again.
        var elements = 64L * (784 + 5760 + 1440 + 1280 + 320 + 320 + 10 + 10);
        Assert.Equal(elements * 4, summary.ActivationBytes);
        Assert.Equal(summary.ActivationBytes, summary.GradientBytes);
        var text = summary.Format();
        Assert.Contains("Conv1 (Conv2d)", text);
        Assert.Contains("Total params: 8,490", text);
        Assert.Contains("Trainable params: 8,490", text);
        Assert.Contains("Forward/backward pass size (MB): 5.08", text);
    }

    [Fact]
    public void FlatNetsLastStatementReadsItsParametersThroughALocal()
    {
        var net = new FlatNet();
        var summary = new Summary(net);
        net.ForwardSummary(summary, Tensor.Zeros(3, 784));
        Assert.Equal(new (string, string, long)[]
        {
            ("h1 (Relu)", S(3, 128), 784 * 128 + 128),
            ("h2 (Relu)", S(3, 128), 128 * 128 + 128),
            ("forward (LogSoftmax)", S(3, 10), 128 * 10 + 10),
        }, Rows(summary));
        Assert.Equal(new[] { "W3", "B3" }, summary.Layers[2].ParameterNames);
    }

    /// <summary>A statement that is a call counts the parameters its arguments read too: W1 and B1 of TunedSin.Apply(x.MatMul(W1) + B1, F1).</summary>
    [Fact]
    public void EveryParameterIsInExactlyOneLayerOfSinNet()
    {
        var net = new SinNet(hidden: 16);
        var summary = new Summary(net);
        net.ForwardSummary(summary, Tensor.Zeros(2, 784));
        Assert.Equal(new (string, string, long)[]
        {
            ("h1 (TunedSin.Apply)", S(2, 16), 784 * 16 + 16 + 16), ("h2 (TunedSin.Apply)", S(2, 16), 16 * 16 + 16 + 16), ("forward (LogSoftmax)", S(2, 10), 16 * 10 + 10),
        }, Rows(summary));
        Assert.Equal(summary.TotalParameters, summary.Layers.Sum(l => l.Parameters));
        Assert.Equal(0, summary.UnusedParameters);
    }

    [Fact]
    public void LossSummarizesACallOfForwardAsOneLayer()
    {
        var net = new CNN();
        var summary = new Summary(net);
        net.LossSummary(summary, Tensor.Zeros(2, 784), Labels.FromArray(1, 2));
        Assert.Equal(new (string, string, long)[] { ("forward (CNN.Forward)", S(2, 10), 8490), ("loss (NllLoss)", S(), 0) }, Rows(summary));
    }

    [Fact]
    public void GoogLeNetHasTheTutorialsStageShapesAndParameterCount()
    {
        var net = new GoogLeNet();
        var summary = new Summary(net);
        net.ForwardSummary(summary, Tensor.Zeros(1, 1, 96, 96));
        var stages = summary.Layers.Where(l => l.Name.StartsWith('b') || l.Name == "Fc").Select(l => (l.Title, S(l.Shape.ToArray())));
        Assert.Equal(new (string, string)[]
        {
            ("b1 (MaxPool2d)", S(1, 64, 24, 24)), ("b2 (MaxPool2d)", S(1, 192, 12, 12)), ("b3 (MaxPool2d)", S(1, 480, 6, 6)),
            ("b4 (MaxPool2d)", S(1, 832, 3, 3)), ("b5 (GlobalAvgPool2d)", S(1, 1024)), ("Fc (Linear)", S(1, 10)),
        }, stages);
        Assert.Equal(new[] { 256, 480, 512, 512, 512, 528, 832, 832, 1024 },
            summary.Layers.Where(l => l.Layer == "Inception").Select(l => l.Shape[1]));
        Assert.Equal(5_977_530, summary.TotalParameters);
        Assert.Equal(summary.TotalParameters, summary.Layers.Sum(l => l.Parameters));
        Assert.Contains("Total params: 5,977,530", summary.Format());
    }

    [Fact]
    public void AlexNetHasTheSeedsShapes()
    {
        var net = new AlexNet();
        var summary = new Summary(net);
        var (mask1, mask2) = net.NoDropout(1);
        net.ForwardSummary(summary, Tensor.Zeros(1, 1, 224, 224), mask1, mask2);
        Assert.Equal(new (string, string)[]
        {
            ("h1 (MaxPool2d)", S(1, 96, 26, 26)), ("h2 (MaxPool2d)", S(1, 256, 12, 12)), ("h3 (Relu)", S(1, 384, 12, 12)),
            ("h4 (Relu)", S(1, 384, 12, 12)), ("h5 (MaxPool2d)", S(1, 256, 5, 5)),
            ("Fc1 (Linear)", S(1, 4096)), ("f1 (Mul)", S(1, 4096)), ("Fc2 (Linear)", S(1, 4096)), ("f2 (Mul)", S(1, 4096)),
            ("Fc3 (Linear)", S(1, 10)), ("forward (LogSoftmax)", S(1, 10)),
        }, summary.Layers.Select(l => (l.Title, S(l.Shape.ToArray()))));
        Assert.Equal(46_764_746, summary.TotalParameters);
        Assert.Equal(6400L * 4096 + 4096, summary.Layers.Single(l => l.Name == "Fc1").Parameters);
    }

    [Fact]
    public void ALoopOverAListOfLayersIsOneLayerOfTheLossThatCallsIt()
    {
        var net = new LayeredMLP(new[] { 5, 4, 3 });
        var summary = new Summary(net);
        net.LossSummary(summary, Tensor.Zeros(2, 5), Labels.FromArray(0, 2));
        var forward = summary.Layers[0];
        Assert.Equal(("forward (LayeredMLP.Forward)", 5 * 4 + 4 + 4 * 3 + 3L), (forward.Title, forward.Parameters));
        Assert.Equal(new[] { "Layers.0.W", "Layers.1.W", "Layers.0.B", "Layers.1.B" }.Order(), forward.ParameterNames.Order());
    }
}
