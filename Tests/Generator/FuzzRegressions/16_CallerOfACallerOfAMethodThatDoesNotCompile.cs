// Fuzz case all:16180339:1198 (found by seed 16180339), minimized: Layer.Forward does not compile (it reads a name
// that does not exist), so it is not generated and its callers cannot be; Net.Forward, which calls it, was skipped,
// but Net.Loss, which calls Net.Forward, was still generated and called Net.ForwardVjpParametersOnly (CS0103). A
// method is now left out whenever any method it calls, however indirectly, is: the user sees the one compiler error
// in Layer.Forward.
using Differentiable;
using static Differentiable.Ops;

public partial class Layer
{
    [Parameter] public Tensor W = Tensor.Ones(new[] { 3, 3 }), B = Tensor.Zeros(new[] { 3 });

    [Differentiable]
    public Tensor Forward(Tensor x) => Gradients.MatMul(W) + B;
}

public partial class Net
{
    public Layer L1 = new(), L2 = new();

    [Differentiable]
    public Tensor Forward(Tensor x) => L2.Forward(Relu(L1.Forward(x)));

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => CrossEntropy(Forward(x), y);
}
