// Reshape(a) with no shape: a no-op (or a diagnostic), never generated code that does not compile.
using Differentiable;
using static Differentiable.Ops;

public partial class M
{
    [Differentiable] public static Tensor F(Tensor a) => Reshape(a);
}
