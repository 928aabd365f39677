// The result is a [Parameter] or an argument itself, or a double negation of one:
// the gradient graph has no operation between input and output.
using Differentiable;
using static Differentiable.Ops;

public partial class M
{
    [Parameter] public Tensor W = Tensor.Ones(2, 3);
    [Differentiable] public Tensor F(Tensor x) => W;
    [Differentiable] public static Tensor G(Tensor a) => a;
    [Differentiable] public static Tensor H(Tensor a) => -(-a);
}
