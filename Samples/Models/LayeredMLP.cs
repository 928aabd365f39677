using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>
/// An MLP whose depth is a constructor argument (issue 11): a <see cref="Linear"/> per pair of widths, ReLU between them,
/// log-softmax at the end. With the default widths it is FlatNet (784-128-128-10) built from a list of layers. Its
/// parameters are named by index, as PyTorch's state_dict names an <c>nn.ModuleList</c>'s: <c>Layers.0.W</c>, <c>Layers.0.B</c>, ...
/// </summary>
public partial class LayeredMLP
{
    public Linear[] Layers;

    public LayeredMLP(int[]? widths = null, ulong seed = 1)
    {
        widths ??= new[] { 784, 128, 128, 10 };
        if (widths.Length < 2) throw new ArgumentException("An MLP needs at least two widths (inputs and outputs).", nameof(widths));
        var rng = new Rng(seed);
        Layers = new Linear[widths.Length - 1];
        for (var i = 0; i < Layers.Length; i++) Layers[i] = new Linear(widths[i], widths[i + 1], rng);
    }

    /// <summary>Log-probabilities of the classes for a batch of flattened inputs.</summary>
    [Differentiable]
    public Tensor Forward(Tensor x)
    {
        var h = x;
        int applied = 0;
        foreach (var layer in Layers)
        {
            if (applied > 0)
                h = Relu(h);
            h = layer.Forward(h);
            applied++;
        }
        return LogSoftmax(h, axis: 1);
    }

    /// <summary>The negative log-likelihood of the labels, averaged over the batch: a call of <see cref="Forward"/>, whose pullback replays its tape.</summary>
    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => NllLoss(Forward(x), y);
}
