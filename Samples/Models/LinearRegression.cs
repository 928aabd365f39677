using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>y = X·w + b fitted with mean squared error (the seed's synthetic y = Xw + b + noise demo).</summary>
public partial class LinearRegression
{
    [Parameter] public Tensor W, B;

    public LinearRegression(int features = 2, ulong seed = 1)
    {
        W = Tensor.Randn(new[] { features, 1 }, new Rng(seed)) * 0.01;
        B = Tensor.Zeros(1);
    }

    [Differentiable]
    public Tensor Predict(Tensor x) => x.MatMul(W) + B;

    [Differentiable]
    public Tensor Loss(Tensor x, Tensor y) => MseLoss(Predict(x), y);
}
