// Fuzz case all:61727384:2311 (found by seed 61727384), minimized: a statement of Forward declares a local of type
// 'Parameters', which does not exist (CS0246: the generated Parameters() is a method, never a type), so Forward does
// not compile and, rightly, gets no ForwardWithGradients, which another member names (CS0103). The fuzzer's classifier
// took the case's own error for one about a generated member (its name is one) and the missing ForwardWithGradients
// for broken generated code; a type that is not found is now the user's own error whatever its name.
using Differentiable;
using static Differentiable.Ops;

public partial class Net
{
    [Parameter] public Tensor W = Tensor.Ones(new[] { 3, 3 });

    public string Use() => nameof(ForwardWithGradients);

    [Differentiable]
    public Tensor Forward(Tensor x)
    {
        Parameters h = Relu(x.MatMul(W));
        return Sum(h);
    }
}
