// Fuzz case all:92837465:2770 (found by seed 92837465): a mutation of LinearRegression.cs that names a generated member
// (nameof(LossWithGradients)) and turns Predict's read of W into a read of Parameters, a name the class does not have as
// a value (the generated Parameters() is a method). Predict does not compile, so Loss, which calls it, gets no
// LossWithGradients, and the compiler's errors are the user's own (CS0103 on Parameters). The fuzzer took any error
// naming 'Parameters' for a missing generated member; it now does so only where the name is called or in nameof. This
// case failed before.
using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>y = X·w + b fitted with mean squared error (the seed's synthetic y = Xw + b + noise demo).</summary>
public partial class LinearRegression
{
    public string Use() => nameof(LossWithGradients);
    [Parameter] public Tensor W, B;

    public LinearRegression(int features = 2, ulong seed = 1)
    {
        W = Tensor.Randn(new[] { features, 1 }, new Rng(seed)) * 0.01;
        B = Tensor.Zeros(1);
    }

    [Differentiable]
    public Tensor Predict(Tensor x) => x.MatMul(Parameters) + B;

    [Differentiable]
    public Tensor Loss(Tensor x, Tensor y) => MseLoss(Predict(x), y);
}
