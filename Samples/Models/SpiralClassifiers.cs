using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>
/// The CNN slides' linear classifier of the spiral points: scores = x·W + B, softmax cross-entropy plus the L2 penalty
/// ½·reg·ΣW², trained by full-batch gradient descent with step size 1.
/// </summary>
public partial class SpiralLinear
{
    [Parameter] public Tensor W, B;

    /// <summary>The L2 regularisation strength (the slides' <c>reg</c>).</summary>
    public double Regularization = 1e-3;

    public SpiralLinear(int inputs = 2, int classes = 3, ulong seed = 1)
    {
        W = Tensor.Randn(new[] { inputs, classes }, new Rng(seed)) * 0.01;
        B = Tensor.Zeros(classes);
    }

    [Differentiable]
    public Tensor Scores(Tensor x) => x.MatMul(W) + B;

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => CrossEntropy(Scores(x), y) + 0.5 * Regularization * Sum(W * W);
}

/// <summary>The slides' two-layer net for the spirals: one hidden ReLU layer of 100 units, the L2 penalty on both weights.</summary>
public partial class SpiralNet
{
    [Parameter] public Tensor W1, B1, W2, B2;

    public double Regularization = 1e-3;

    public SpiralNet(int inputs = 2, int hidden = 100, int classes = 3, ulong seed = 1)
    {
        var rng = new Rng(seed);
        (W1, B1) = (Tensor.Randn(new[] { inputs, hidden }, rng) * 0.01, Tensor.Zeros(hidden));
        (W2, B2) = (Tensor.Randn(new[] { hidden, classes }, rng) * 0.01, Tensor.Zeros(classes));
    }

    [Differentiable]
    public Tensor Scores(Tensor x) => Relu(x.MatMul(W1) + B1).MatMul(W2) + B2;

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => CrossEntropy(Scores(x), y) + 0.5 * Regularization * (Sum(W1 * W1) + Sum(W2 * W2));
}
