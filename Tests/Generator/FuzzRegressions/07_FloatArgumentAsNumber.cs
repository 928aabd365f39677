// A float argument used as a number (README: numbers read at run time), in the C# and the device program.
using Differentiable;
using static Differentiable.Ops;

public partial class M
{
    [Parameter] public Tensor W = Tensor.Ones(2, 2);
    [Differentiable] public Tensor F(Tensor x, float f) => x * f * W;
}
