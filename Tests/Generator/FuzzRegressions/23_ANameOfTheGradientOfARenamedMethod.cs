// Fuzz case all:81234577:1795 (found by seed 81234577): a mutation of SoftmaxRegression.cs that names a generated member
// (nameof(LossWithGradients)) and renames Loss to All. Only the user's own code fails to compile (CS0103: there is no
// LossWithGradients because there is no Loss any more); the generator generated everything for the methods there are
// (AllWithGradients included, its gradients' All property no clash). The fuzzer counted a missing {M}WithGradients as
// the generator's failure whatever M was; it now does so only when the case declares M. This case failed before.
using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>Multinomial logistic regression on flattened digits: softmax(x·W + B), cross-entropy.</summary>
public partial class SoftmaxRegression
{
    public string Use() => nameof(LossWithGradients);
    [Parameter] public Tensor W, B;

    public SoftmaxRegression(int inputs = 784, int classes = 10)
    {
        W = Tensor.Zeros(inputs, classes);
        B = Tensor.Zeros(classes);
    }

    [Differentiable]
    public Tensor Forward(Tensor x) => Softmax(x.MatMul(W) + B, axis: 1);

    [Differentiable]
    public Tensor All(Tensor x, Labels y) => CrossEntropy(x.MatMul(W) + B, y);
}
