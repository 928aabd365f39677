// A static method's tensor argument that the result does not use still needs a (zero) gradient.
using Differentiable;
using static Differentiable.Ops;

public partial class M
{
    [Differentiable] public static Tensor F(Tensor a, Tensor b) => Sin(a);
}
