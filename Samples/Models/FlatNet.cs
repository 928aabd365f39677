using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>The seed's MNIST MLP: 784-128-128-10, ReLU, log-softmax, negative log-likelihood.</summary>
public partial class FlatNet
{
    [Parameter] public Tensor W1, B1, W2, B2, W3, B3;

    public FlatNet(int hidden1 = 128, int hidden2 = 128, ulong seed = 1)
    {
        var rng = new Rng(seed);
        (W1, B1) = (Init.Linear(784, hidden1, rng), Init.LinearBias(784, hidden1, rng));
        (W2, B2) = (Init.Linear(hidden1, hidden2, rng), Init.LinearBias(hidden1, hidden2, rng));
        (W3, B3) = (Init.Linear(hidden2, 10, rng), Init.LinearBias(hidden2, 10, rng));
    }

    /// <summary>Log-probabilities of the 10 digits for a batch of flattened images (n, 784).</summary>
    [Differentiable]
    public Tensor Forward(Tensor x)
    {
        var h1 = Relu(x.MatMul(W1) + B1);
        var h2 = Relu(h1.MatMul(W2) + B2);
        return LogSoftmax(h2.MatMul(W3) + B3, axis: 1);
    }

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => NllLoss(Forward(x), y);
}
