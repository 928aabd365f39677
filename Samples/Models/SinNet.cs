using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>
/// The seed's SinNet: 784-n-n-10 where each hidden layer is linear followed by <see cref="TunedSin"/> with a
/// trainable frequency of shape (1, n), broadcast over the batch.
/// </summary>
public partial class SinNet
{
    [Parameter] public Tensor W1, B1, F1, W2, B2, F2, W3, B3;

    public SinNet(int hidden = 512, ulong seed = 1)
    {
        var rng = new Rng(seed);
        (W1, B1) = (Init.Linear(784, hidden, rng), Init.LinearBias(784, hidden, rng));
        (W2, B2) = (Init.Linear(hidden, hidden, rng), Init.LinearBias(hidden, hidden, rng));
        (W3, B3) = (Init.Linear(hidden, 10, rng), Init.LinearBias(hidden, 10, rng));
        F1 = Tensor.Ones(1, hidden);
        F2 = Tensor.Ones(1, hidden);
    }

    [Differentiable]
    public Tensor Forward(Tensor x)
    {
        var h1 = TunedSin.Apply(x.MatMul(W1) + B1, F1);
        var h2 = TunedSin.Apply(h1.MatMul(W2) + B2, F2);
        return LogSoftmax(h2.MatMul(W3) + B3, axis: 1);
    }

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => NllLoss(Forward(x), y);
}
