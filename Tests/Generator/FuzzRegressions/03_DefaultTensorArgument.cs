// default(Tensor)! passed to another [Differentiable] method, which is inlined.
using Differentiable;
using static Differentiable.Ops;

public partial class M
{
    [Differentiable] public static Tensor G(Tensor a, Tensor b) => a * 2;
    [Differentiable] public static Tensor F(Tensor x) => G(x, default(Tensor)!);
}
