// Fuzz case all:33550336:1531 (found by seed 33550336), minimized: TwoLayerNN.cs with 'public' deleted from Linear's
// [Parameter] fields. TwoLayerNN's generated Parameters() read L1.W and L1.B by path (CS0122 in generated code); a
// sub-module member the model cannot read is now DIFF017 at that member.
using Differentiable;
using static Differentiable.Ops;

public partial class Linear
{
    [Parameter] Tensor W = Tensor.Ones(new[] { 4, 3 }), B = Tensor.Zeros(new[] { 3 });

    [Differentiable]
    public Tensor Forward(Tensor x) => x.MatMul(W) + B;
}

public partial class TwoLayerNN
{
    public Linear L1 = new(), L2 = new();

    [Differentiable]
    public Tensor Loss(Tensor x) => Sum(L2.Forward(Relu(L1.Forward(x))));
}
