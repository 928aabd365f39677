using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>Multinomial logistic regression on flattened digits: softmax(x·W + B), cross-entropy.</summary>
public partial class SoftmaxRegression
{
    [Parameter] public Tensor W, B;

    public SoftmaxRegression(int inputs = 784, int classes = 10)
    {
        W = Tensor.Zeros(inputs, classes);
        B = Tensor.Zeros(classes);
    }

    [Differentiable]
    public Tensor Forward(Tensor x) => Softmax(x.MatMul(W) + B, axis: 1);

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => CrossEntropy(x.MatMul(W) + B, y);
}
