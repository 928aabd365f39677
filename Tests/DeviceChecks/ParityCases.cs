using Differentiable.Samples.Models;
using Differentiable.Scheduling;

namespace Differentiable.DeviceChecks;

/// <summary>
/// Every op kind (<see cref="OpCases"/>) and every sample model, with random inputs from a fixed seed. Batches are
/// small so the host emulation in CI stays fast; <c>gpu-check</c> passes a larger batch.
/// </summary>
public static class ParityCases
{
    public static IEnumerable<ParityCase> All(int batch = 4, ulong seed = 7) => Ops(seed).Concat(Models(batch, seed));

    public static IEnumerable<ParityCase> Ops(ulong seed = 7)
    {
        var rng = new Rng(seed);
        Tensor N(params int[] shape) => Tensor.Randn(shape, rng);
        var labels = new Labels(new[] { 2, 0, 4, 1 });

        ParityCase Static(string name, Action<ProgramBuilder> record, Func<Tensor[], (Tensor, IGradients)> cpu, string[] names, params Tensor[] args) =>
            new(name, NoParameters.Instance, record, names.Zip(args).ToDictionary(p => p.First, p => p.Second), new Dictionary<string, Labels>(), () => cpu(args));

        yield return Static("ops: + − ⊙ / neg abs", OpCases.ArithmeticDeviceProgram, a => Pair(OpCases.ArithmeticWithGradients(a[0], a[1])), new[] { "a", "b" }, N(3, 5), N(3, 5));
        yield return Static("ops: maximum, minimum", OpCases.MaxMinDeviceProgram, a => Pair(OpCases.MaxMinWithGradients(a[0], a[1])), new[] { "a", "b" }, N(3, 5), N(5));
        yield return Static("ops: pow, sqrt", OpCases.PowersDeviceProgram, a => Pair(OpCases.PowersWithGradients(a[0])), new[] { "a" }, N(4, 3));
        yield return Static("ops: exp, log", OpCases.ExpLogDeviceProgram, a => Pair(OpCases.ExpLogWithGradients(a[0])), new[] { "a" }, N(4, 3));
        yield return Static("ops: sin, cos", OpCases.TrigonometryDeviceProgram, a => Pair(OpCases.TrigonometryWithGradients(a[0], a[1])), new[] { "a", "b" }, N(2, 6), N(1, 6));
        yield return Static("ops: tanh, sigmoid, relu", OpCases.ActivationsDeviceProgram, a => Pair(OpCases.ActivationsWithGradients(a[0])), new[] { "a" }, N(5, 4));
        yield return Static("ops: broadcasting", OpCases.BroadcastingDeviceProgram, a => Pair(OpCases.BroadcastingWithGradients(a[0], a[1], a[2])), new[] { "a", "row", "column" }, N(3, 4), N(4), N(3, 1));
        yield return Static("ops: one kernel for repeated statements", OpCases.RepeatedDeviceProgram, a => Pair(OpCases.RepeatedWithGradients(a[0], a[1])), new[] { "a", "row" }, N(3, 4), N(4));
        yield return Static("ops: sum, mean, logsumexp", OpCases.ReductionsDeviceProgram, a => Pair(OpCases.ReductionsWithGradients(a[0])), new[] { "a" }, N(4, 6));
        yield return Static("ops: matmul, transpose", OpCases.ProductsDeviceProgram, a => Pair(OpCases.ProductsWithGradients(a[0], a[1])), new[] { "a", "b" }, N(5, 3), N(3, 4));
        // Sizes that take the other paths of the kernels: partial 32×32 tiles with K split over several blocks, and
        // reductions long enough to give each output element a group of threads.
        yield return Static("ops: matmul, K split", OpCases.ProductsDeviceProgram, a => Pair(OpCases.ProductsWithGradients(a[0], a[1])), new[] { "a", "b" }, N(37, 300), N(300, 45));
        yield return Static("ops: epilogue broadcasting", OpCases.BroadcastEpilogueDeviceProgram, a => Pair(OpCases.BroadcastEpilogueWithGradients(a[0], a[1], a[2])), new[] { "a", "b", "c" }, N(5, 3), N(3, 1), N(1, 4));
        yield return Static("ops: epilogue broadcasting, K split", OpCases.BroadcastEpilogueDeviceProgram, a => Pair(OpCases.BroadcastEpilogueWithGradients(a[0], a[1], a[2])), new[] { "a", "b", "c" }, N(6, 600), N(600, 1), N(1, 3));
        yield return Static("ops: long reductions", OpCases.ReductionsDeviceProgram, a => Pair(OpCases.ReductionsWithGradients(a[0])), new[] { "a" }, N(40, 3000));
        yield return Static("ops: reshape, concat", OpCases.ShapesDeviceProgram, a => Pair(OpCases.ShapesWithGradients(a[0], a[1])), new[] { "a", "b" }, N(4, 3), N(2, 2));
        var scores = N(4, 5);
        yield return new ParityCase("ops: gather, cross-entropy", NoParameters.Instance, OpCases.ClassifierDeviceProgram,
            new Dictionary<string, Tensor> { ["a"] = scores }, new Dictionary<string, Labels> { ["y"] = labels }, () => Pair(OpCases.ClassifierWithGradients(scores, labels)));
        yield return Static("ops: conv2d", OpCases.ConvolutionDeviceProgram, a => Pair(OpCases.ConvolutionWithGradients(a[0], a[1], a[2])), new[] { "x", "w", "bias" }, N(2, 3, 7, 6), N(4, 3, 3, 3), N(4));
        yield return Static("ops: conv2d, long weight sums", OpCases.ConvolutionDeviceProgram, a => Pair(OpCases.ConvolutionWithGradients(a[0], a[1], a[2])), new[] { "x", "w", "bias" }, N(8, 3, 20, 20), N(4, 3, 3, 3), N(4));
        yield return Static("ops: maxpool2d, flatten", OpCases.MaxPoolingDeviceProgram, a => Pair(OpCases.MaxPoolingWithGradients(a[0])), new[] { "x" }, N(2, 3, 6, 6));
        yield return Static("ops: avgpool2d, global average", OpCases.AveragePoolingDeviceProgram, a => Pair(OpCases.AveragePoolingWithGradients(a[0])), new[] { "x" }, N(2, 2, 5, 5));
        // Control flow on numbers, recorded as the path it takes for these numbers (issue 11).
        yield return Static("control flow: nested loops, bound from an argument", p => ControlFlowCases.NestedDeviceProgram(p, 3),
            a => Pair(ControlFlowCases.NestedWithGradients(a[0], 3)), new[] { "x" }, N(2, 3) * 0.5);
        yield return Static("control flow: return from inside a loop", p => ControlFlowCases.EarlyReturnDeviceProgram(p, 7),
            a => Pair(ControlFlowCases.EarlyReturnWithGradients(a[0], 7)), new[] { "x" }, N(3) * 0.5);
        yield return Static("control flow: continue", p => ControlFlowCases.SkipOddDeviceProgram(p, 5),
            a => Pair(ControlFlowCases.SkipOddWithGradients(a[0], 5)), new[] { "x" }, N(3) * 0.5);
        yield return Static("control flow: break inside if", p => ControlFlowCases.BreakInIfDeviceProgram(p, 10),
            a => Pair(ControlFlowCases.BreakInIfWithGradients(a[0], 10)), new[] { "x" }, N(3) * 0.5);
    }

    public static IEnumerable<ParityCase> Models(int batch = 4, ulong seed = 7)
    {
        var rng = new Rng(seed);
        var x = Tensor.Rand(new[] { batch, 784 }, rng);
        var y = new Labels(Enumerable.Range(0, batch).Select(i => (int)(rng.NextUInt64() % 10)).ToArray());
        var data = new Dictionary<string, Tensor> { ["x"] = x };
        var labels = new Dictionary<string, Labels> { ["y"] = y };

        var flat = new FlatNet(seed: seed);
        yield return new("FlatNet 784-128-128-10", flat, flat.LossDeviceProgram, data, labels, () => Pair(flat.LossWithGradients(x, y)));
        var sin = new SinNet(hidden: 64, seed: seed);
        yield return new("SinNet 784-64-64-10", sin, sin.LossDeviceProgram, data, labels, () => Pair(sin.LossWithGradients(x, y)));
        var two = new TwoLayerNN(seed: seed);
        yield return new("TwoLayerNN 784-100-10", two, two.LossDeviceProgram, data, labels, () => Pair(two.LossWithGradients(x, y)));
        var softmax = new SoftmaxRegression();
        yield return new("Softmax regression", softmax, softmax.LossDeviceProgram, data, labels, () => Pair(softmax.LossWithGradients(x, y)));
        var cnn = new CNN(seed: seed);
        yield return new("CNN", cnn, cnn.LossDeviceProgram, data, labels, () => Pair(cnn.LossWithGradients(x, y)));
        var lenet = new LeNet(seed: seed);
        yield return new("LeNet-5", lenet, lenet.LossDeviceProgram, data, labels, () => Pair(lenet.LossWithGradients(x, y)));
        var inception = new InceptionNet(width: 4, seed: seed);
        yield return new("InceptionNet (width 4)", inception, inception.LossDeviceProgram, data, labels, () => Pair(inception.LossWithGradients(x, y)));
        var layered = new LayeredMLP(new[] { 784, 32, 16, 10 }, seed: seed);
        yield return new("LayeredMLP 784-32-16-10: foreach over a list of layers", layered, layered.ForwardDeviceProgram, data, new Dictionary<string, Labels>(),
            () => Pair(layered.ForwardWithGradients(x)));
        var dropout = new DropoutMLP(seed: seed);
        var (mask1, mask2) = dropout.Masks(batch, rng);
        yield return new("MLP with dropout", dropout, dropout.LossDeviceProgram,
            new Dictionary<string, Tensor> { ["x"] = x, ["mask1"] = mask1, ["mask2"] = mask2 }, labels, () => Pair(dropout.LossWithGradients(x, y, mask1, mask2)));
    }

    private static (Tensor, IGradients) Pair<T>((Tensor Value, T Gradients) result) where T : IGradients => (result.Value, result.Gradients);
}
