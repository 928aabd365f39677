// A [Differentiable] method in a partial struct: DIFF008, not a generated 'partial class' that clashes.
using Differentiable;
using static Differentiable.Ops;

public partial struct M
{
    [Differentiable] public static Tensor F(Tensor x) => Sin(x);
}
