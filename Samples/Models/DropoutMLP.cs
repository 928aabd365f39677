using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>
/// The seeds' MLP with dropout: 784-256-256-10, ReLU, dropout 0.2 after the first hidden layer and 0.5 after the
/// second. Dropout is a mask argument (see <see cref="Dropout"/>): <see cref="Masks"/> draws fresh ones for a
/// training batch, <see cref="NoDropout"/> gives the all-ones masks of evaluation; the generated code stays pure.
/// </summary>
public partial class DropoutMLP
{
    public const double P1 = 0.2, P2 = 0.5;
    public const int Hidden = 256;

    public Linear L1, L2, L3;

    public DropoutMLP(int hidden = Hidden, ulong seed = 1)
    {
        var rng = new Rng(seed);
        L1 = new Linear(784, hidden, rng);
        L2 = new Linear(hidden, hidden, rng);
        L3 = new Linear(hidden, 10, rng);
    }

    [Differentiable]
    public Tensor Forward(Tensor x, Tensor mask1, Tensor mask2)
    {
        var h1 = Relu(L1.Forward(x)) * mask1;
        var h2 = Relu(L2.Forward(h1)) * mask2;
        return LogSoftmax(L3.Forward(h2), axis: 1);
    }

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y, Tensor mask1, Tensor mask2) => NllLoss(Forward(x, mask1, mask2), y);

    /// <summary>Fresh training masks for a batch of <paramref name="n"/> rows.</summary>
    public (Tensor Mask1, Tensor Mask2) Masks(int n, Rng rng, DType dtype = DType.Float32) =>
        (Dropout.Mask(new[] { n, L1.W.Shape[1] }, P1, rng, dtype), Dropout.Mask(new[] { n, L2.W.Shape[1] }, P2, rng, dtype));

    /// <summary>Evaluation masks: dropout off.</summary>
    public (Tensor Mask1, Tensor Mask2) NoDropout(int n, DType dtype = DType.Float32) =>
        (Dropout.Off(new[] { n, L1.W.Shape[1] }, dtype), Dropout.Off(new[] { n, L2.W.Shape[1] }, dtype));
}
