using Differentiable.Samples.Models;
using Differentiable.Scheduling;

namespace Differentiable.Samples.Training;

/// <summary>
/// What the training loop needs of a classifier: its parameters, one generated loss-and-gradients step, and the
/// eager forward pass for evaluation. Each sample model exposes these under its own generated types, so they are
/// gathered here by name.
/// </summary>
internal sealed record TrainableModel(
    string Name,
    IModule Module,
    Func<Tensor, Labels, (Tensor Loss, IGradients Gradients)> LossWithGradients,
    Func<Tensor, Labels, Tensor> Loss,
    Func<Tensor, Tensor> Scores,
    Action<ProgramBuilder>? DeviceLoss = null,
    Func<int, IReadOnlyDictionary<string, Tensor>>? DeviceExtraInputs = null)
{
    public static readonly string[] Names = { "flatnet", "sinnet", "twolayer", "softmax", "cnn", "lenet", "inception", "dropout-mlp", "layered-mlp" };

    /// <summary>
    /// SGD's learning rate and momentum when the command line gives none: the seeds' 0.01 and 0.5, except where a
    /// model learns poorly with them (LeNet-5 reached 21% after 2 epochs and 87% after 10; with 0.05 and 0.9, 94.6%
    /// after 3). InceptionNet takes LeNet's too (93.7% after 3 epochs of 4,000 digits with them).
    /// </summary>
    public (double LearningRate, double Momentum) Defaults { get; init; } = (0.01, 0.5);

    public static TrainableModel Create(string name, ulong seed) => name switch
    {
        "flatnet" => From(new FlatNet(seed: seed)),
        "sinnet" => From(new SinNet(hidden: 512, seed: seed)),
        "twolayer" => From(new TwoLayerNN(seed: seed)),
        "softmax" => From(new SoftmaxRegression()),
        "cnn" => From(new CNN(seed: seed)),
        "lenet" => From(new LeNet(seed: seed)) with { Defaults = (0.05, 0.9) },
        "inception" => From(new InceptionNet(seed: seed)) with { Defaults = (0.05, 0.9) },
        "dropout-mlp" => From(new DropoutMLP(seed: seed), new Rng(seed ^ 0xD509)),
        "layered-mlp" => From(new LayeredMLP(seed: seed)),
        _ => throw new ArgumentException($"Unknown model '{name}'; choose one of {string.Join(", ", Names)}."),
    };

    private static TrainableModel From(FlatNet m) =>
        new("FlatNet 784-128-128-10", m, (x, y) => Pair(m.LossWithGradients(x, y)), m.Loss, m.Forward, m.LossDeviceProgram);

    private static TrainableModel From(SinNet m) =>
        new("SinNet 784-512-512-10", m, (x, y) => Pair(m.LossWithGradients(x, y)), m.Loss, m.Forward, m.LossDeviceProgram);

    private static TrainableModel From(TwoLayerNN m) =>
        new("TwoLayerNN 784-100-10", m, (x, y) => Pair(m.LossWithGradients(x, y)), m.Loss, m.Forward, m.LossDeviceProgram);

    private static TrainableModel From(SoftmaxRegression m) =>
        new("Softmax regression 784-10", m, (x, y) => Pair(m.LossWithGradients(x, y)), m.Loss, m.Forward, m.LossDeviceProgram);

    private static TrainableModel From(CNN m) =>
        new("CNN conv5-10, conv5-20, fc 320-10", m, (x, y) => Pair(m.LossWithGradients(x, y)), m.Loss, m.Forward, m.LossDeviceProgram);

    private static TrainableModel From(LeNet m) =>
        new("LeNet-5", m, (x, y) => Pair(m.LossWithGradients(x, y)), m.Loss, m.Forward, m.LossDeviceProgram);

    private static TrainableModel From(InceptionNet m) =>
        new("InceptionNet conv3-16, Inception 40, Inception 80, fc 720-10", m, (x, y) => Pair(m.LossWithGradients(x, y)), m.Loss, m.Forward, m.LossDeviceProgram);

    /// <summary>FlatNet's widths as a list of layers: its body loops over them, so it trains on the CPU (no device program).</summary>
    private static TrainableModel From(LayeredMLP m) =>
        new($"MLP {string.Join("-", m.Layers.Select(l => l.W.Shape[0]).Append(m.Layers[^1].W.Shape[1]))} (a list of Linear layers)", m,
            (x, y) => Pair(m.LossWithGradients(x, y)), m.Loss, m.Forward);

    /// <summary>Training draws fresh dropout masks for every batch; evaluation passes all-ones masks (dropout off).</summary>
    private static TrainableModel From(DropoutMLP m, Rng masks) =>
        new("MLP 784-256-256-10, dropout 0.2/0.5", m,
            (x, y) =>
            {
                var (mask1, mask2) = m.Masks(x.Shape[0], masks, x.DType);
                return Pair(m.LossWithGradients(x, y, mask1, mask2));
            },
            (x, y) =>
            {
                var (mask1, mask2) = m.NoDropout(x.Shape[0], x.DType);
                return m.Loss(x, y, mask1, mask2);
            },
            x =>
            {
                var (mask1, mask2) = m.NoDropout(x.Shape[0], x.DType);
                return m.Forward(x, mask1, mask2);
            },
            m.LossDeviceProgram,
            n =>
            {
                var (mask1, mask2) = m.Masks(n, masks);
                return new Dictionary<string, Tensor> { ["mask1"] = mask1, ["mask2"] = mask2 };
            });

    private static (Tensor, IGradients) Pair<TGradients>((Tensor Value, TGradients Gradients) result) where TGradients : IGradients =>
        (result.Value, result.Gradients);
}
