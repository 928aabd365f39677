using Differentiable;
using static Differentiable.Ops;
using Nn = Differentiable.Nn;

namespace DifferentiableApp;

/// <summary>
/// A 784-128-10 MLP. The generator reads the [Differentiable] methods and adds <c>LossWithGradients</c> (the loss and
/// the gradient of every parameter, the layers' included: <c>Hidden.W</c>, <c>Hidden.B</c>, ...) and <c>Parameters()</c>.
/// </summary>
public partial class Model
{
    public Nn.Linear Hidden;
    public Nn.Linear Output;

    public Model(ulong seed = 1)
    {
        var rng = new Rng(seed);
        Hidden = new Nn.Linear(784, 128, rng);
        Output = new Nn.Linear(128, 10, rng);
    }

    /// <summary>Log-probabilities of the ten digits for a batch of flattened 28×28 images (n, 784).</summary>
    [Differentiable]
    public Tensor Forward(Tensor x) => LogSoftmax(Output.Forward(Relu(Hidden.Forward(x))), axis: 1);

    /// <summary>The mean negative log-likelihood of the labels: what training minimizes.</summary>
    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => NllLoss(Forward(x), y);
}
