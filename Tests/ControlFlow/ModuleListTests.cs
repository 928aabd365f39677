using Differentiable.Checkpoints;
using Differentiable.Samples.Models;
using Differentiable.Training;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.ControlFlow;

/// <summary>
/// <c>foreach (var layer in Layers)</c> over a list of sub-modules (issue 11): each element's parameters are named by
/// index as PyTorch's state_dict names an nn.ModuleList's (<c>Layers.0.W</c>), in <c>Parameters()</c>, in the
/// gradients and in checkpoints, and each gets its own gradient, checked in float64.
/// </summary>
public class ModuleListTests
{
    private static Labels SomeLabels(int n, int classes) => new(Enumerable.Range(0, n).Select(i => i * 7 % classes).ToArray());

    [Fact]
    public void ParametersAreNamedByIndexInDeclarationOrder()
    {
        var names = new LayeredMLP(new[] { 5, 4, 3, 2 }).Parameters().Select(p => p.Name);
        Assert.Equal(new[] { "Layers.0.W", "Layers.0.B", "Layers.1.W", "Layers.1.B", "Layers.2.W", "Layers.2.B" }, names);
    }

    [Theory]
    [InlineData(new[] { 5, 4, 3, 2 })]
    [InlineData(new[] { 5, 2 })] // one layer: the ReLU branch never runs
    [InlineData(new[] { 5, 6, 6, 6, 6, 3 })]
    public void LossGradientChecks(int[] widths) =>
        GeneratedGradCheck.Check(new LayeredMLP(widths), nameof(LayeredMLP.Loss), GeneratedGradCheck.Random(4, widths[0]), SomeLabels(4, widths[^1]));

    [Fact]
    public void ForwardGradientChecks() =>
        GeneratedGradCheck.Check(new LayeredMLP(new[] { 3, 4, 2 }), nameof(LayeredMLP.Forward), GeneratedGradCheck.Random(2, 3));

    [Theory]
    [InlineData(1e9)] // every block runs
    [InlineData(0.5)] // breaks after the first block: the others' gradients are zeros
    public void ElementParametersReadDirectlyAndThroughCalls(double limit) =>
        GeneratedGradCheck.Check(new ResidualStack { Limit = limit }, nameof(ResidualStack.Forward), GeneratedGradCheck.Random(2, 3));

    [Fact]
    public void BlocksSkippedByBreakGetZeroGradients()
    {
        var model = new ResidualStack { Limit = 0.0 };
        var (_, gradients) = model.ForwardWithGradients(Tensor.Ones(new[] { 2, 3 }));
        Assert.Equal(3, gradients.Blocks_W.Count);
        Assert.NotEqual(0.0, gradients.Blocks_W[0].ToDoubleArray().Select(Math.Abs).Sum());
        Assert.All(gradients.Blocks_W.Skip(1), g => Assert.All(g.ToDoubleArray(), v => Assert.Equal(0.0, v)));
    }

    /// <summary>With FlatNet's widths and seed, the list of layers is FlatNet: the same parameters, loss and gradients.</summary>
    [Fact]
    public void WithFlatNetsWidthsItIsFlatNet()
    {
        var layered = new LayeredMLP(seed: 7);
        var flat = new FlatNet(seed: 7);
        var rename = new Dictionary<string, string>
        {
            ["Layers.0.W"] = "W1", ["Layers.0.B"] = "B1", ["Layers.1.W"] = "W2", ["Layers.1.B"] = "B2", ["Layers.2.W"] = "W3", ["Layers.2.B"] = "B3",
        };
        var flatParameters = flat.Parameters().ToDictionary(p => p.Name, p => p.Value);
        foreach (var p in layered.Parameters()) Assert.Equal(flatParameters[rename[p.Name]].ToDoubleArray(), p.Value.ToDoubleArray());

        var x = Tensor.Randn(new[] { 8, 784 }, new Rng(3));
        var y = SomeLabels(8, 10);
        var (loss, gradients) = layered.LossWithGradients(x, y);
        var (flatLoss, flatGradients) = flat.LossWithGradients(x, y);
        Assert.Equal(flatLoss.Item(), loss.Item(), 5);
        var expected = flatGradients.All.ToDictionary(g => g.Name, g => g.Gradient);
        Assert.Equal(rename.Keys, gradients.All.Select(g => g.Name));
        foreach (var (name, gradient) in gradients.All)
        {
            var want = expected[rename[name]].ToDoubleArray();
            var got = gradient.ToDoubleArray();
            for (var i = 0; i < want.Length; i++) Assert.Equal(want[i], got[i], 5);
        }
    }

    [Fact]
    public void CheckpointsRoundTripByIndexedName()
    {
        var path = Path.Combine(Path.GetTempPath(), $"layered-{Guid.NewGuid():N}.safetensors");
        try
        {
            var saved = new LayeredMLP(new[] { 4, 3, 2 }, seed: 1);
            Safetensors.Save(saved, path);
            var loaded = new LayeredMLP(new[] { 4, 3, 2 }, seed: 2);
            Safetensors.Load(loaded, path);
            foreach (var (a, b) in saved.Parameters().Zip(loaded.Parameters()))
            {
                Assert.Equal(a.Name, b.Name);
                Assert.Equal(a.Value.ToDoubleArray(), b.Value.ToDoubleArray());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Loss calls Forward, which loops over the layers: its pullback replays Forward's tape.</summary>
    [Fact]
    public void ACallOfAMethodThatLoopsOverLayersGradientChecks() =>
        GeneratedGradCheck.Check(new LayeredMLP(new[] { 4, 5, 3 }), nameof(LayeredMLP.Loss), GeneratedGradCheck.Random(3, 4), SomeLabels(3, 3));

    /// <summary>
    /// A body with control flow that calls a method looping over a list adds the call's per-element gradients into its own
    /// (AccumulateEach): two calls, one inside a branch, gradient-checked in float64.
    /// </summary>
    /// <summary>
    /// Calls of a method that loops over a list add their per-element gradients: two in one expression (AddEach), and
    /// from a body with control flow, one of them inside a branch (AccumulateEach), gradient-checked in float64.
    /// </summary>
    [Theory]
    [InlineData("[Differentiable] public Tensor F([Wrt] Tensor x, int n) => Twice(Twice(x)) + Twice(x);", 1)]
    [InlineData("[Differentiable] public Tensor F([Wrt] Tensor x, int n) { var h = x; if (n > 0) h = Twice(h) * Twice(x); return h; }", 1)]
    [InlineData("[Differentiable] public Tensor F([Wrt] Tensor x, int n) { var h = Twice(x); if (n > 2) h = Twice(h) * h; return h; }", 0)]
    [InlineData("[Differentiable] public Tensor F([Wrt] Tensor x, int n) { var h = Twice(x); if (n > 2) h = Twice(h) * h; return h; }", 3)]
    public void CallsReachingAListAddTheirPerElementGradients(string method, int n)
    {
        var run = GeneratorHarness.Run(ListModel.Replace("/*F*/", method));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationErrors);
        GeneratedGradCheck.Check(Activator.CreateInstance(run.Load().GetType("M")!)!, "F", GeneratedGradCheck.Random(2, 3), n);
    }

    private const string ListModel = """
        using Differentiable;
        using static Differentiable.Ops;
        public partial class Sub
        {
            [Parameter] public Tensor W = Tensor.FromArray(new[] { 0.5, -0.3, 0.8 }, 3);
            [Differentiable] public Tensor Forward(Tensor t) => Tanh(t * W);
        }
        public partial class M
        {
            public Sub[] Stack = { new(), new() };
            [Differentiable] public Tensor Twice(Tensor t) { var u = t; foreach (var s in Stack) u = s.Forward(u); return u; }
            /*F*/
        }
        """;

    /// <summary>A loop over layers is recorded while the program is built: every layer's launches, and every layer's gradients.</summary>
    [Fact]
    public void TheDeviceProgramRecordsEveryLayer()
    {
        var model = new LayeredMLP(new[] { 4, 5, 6, 2 });
        var shapes = model.Parameters().ToDictionary(p => p.Name, p => p.Value.Shape.ToArray());
        var builder = new Differentiable.Scheduling.ProgramBuilder("layered", new Dictionary<string, int[]> { ["x"] = new[] { 2, 4 } }, path => shapes[path]);
        model.ForwardDeviceProgram(builder);
        Assert.Equal(shapes.Keys.Order(), builder.RecordedGradients.Keys.Order());
        Assert.Equal(new[] { 2, 2 }, builder.RecordedResult.Shape);
    }

    /// <summary>A condition that reads a tensor's value cannot be a branch of one CUDA graph: building the program says so.</summary>
    [Fact]
    public void ATensorValuedConditionSaysToTrainOnTheCpu()
    {
        var builder = new Differentiable.Scheduling.ProgramBuilder("stack", new Dictionary<string, int[]> { ["x"] = new[] { 2, 3 } }, path => throw new ArgumentException(path));
        var error = Assert.Throws<NotSupportedException>(() => new ResidualStack().ForwardDeviceProgram(builder));
        Assert.Contains("ResidualStack.Forward has no device program: a condition or loop reads tensor values", error.Message);
        Assert.Contains("Train it on the CPU", error.Message);
    }

    [Fact]
    public void OptimizerStepsEveryElement()
    {
        var model = new LayeredMLP(new[] { 4, 3, 2 });
        var before = model.Parameters().Select(p => p.Value.ToDoubleArray()).ToList();
        var optimizer = new Sgd(model, learningRate: 0.1);
        var (_, gradients) = model.LossWithGradients(GeneratedGradCheck.Random(3, 4).To(DType.Float32), SomeLabels(3, 2));
        optimizer.Step(gradients);
        var after = model.Parameters().Select(p => p.Value.ToDoubleArray()).ToList();
        Assert.All(before.Zip(after), pair => Assert.NotEqual(pair.First, pair.Second));
    }
}
