// Fuzz case all:918273:967 (found by seed 918273): a layer argument named All; the pullback class and the variant
// that fills it must agree on the property name (was CS0117 ... does not contain a definition for 'All2').
using static Differentiable.Ops;

namespace Differentiable.Generated;

/// <summary>The seed's own linear layer: y = x·W + B with W stored (in, out).</summary>
public partial class Linear
{
    [Parameter] public Tensor W, B;

    public Linear(int inFeatures, int outFeatures, Rng rng)
    {
        W = Init.Linear(inFeatures, outFeatures, rng);
        B = Init.LinearBias(inFeatures, outFeatures, rng);
    }

    [Differentiable]
    public Tensor Forward(Tensor All) => All.MatMul(W) + B;
}

/// <summary>The seed's TwoLayerNN: 784-100-10 built from two <see cref="Linear"/> layers, cross-entropy loss.</summary>
public partial class TwoLayerNN
{
    public Linear L1, L2;

    public TwoLayerNN(int hidden = 100, ulong seed = 1)
    {
        var rng = new Rng(seed);
        L1 = new Linear(784, hidden, rng);
        L2 = new Linear(hidden, 10, rng);
    }

    [Differentiable]
    public Tensor Forward(Tensor x) => L2.Forward(Relu(L1.Forward(x)));

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => CrossEntropy(Forward(x), y);
}
