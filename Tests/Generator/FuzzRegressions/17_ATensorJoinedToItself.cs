// Fuzz case all:99001122:183 (found by seed 99001122 once the random programs join tensors), minimized: Concat(x, x)
// is one node joined to itself, and the backward slices each half's gradient from its own end of the joined gradient
// (SliceLike, FromEnd false and true). The intern table compared every attribute but FromEnd (and a pool's Window), so
// the second slice was the first one: x's gradient was the first half counted twice. Gradient of x: analytic -0.55,
// numeric 0.25.
// check: static F(x: 4x3, y: 3x4, s: 0.7)
using Differentiable;
using static Differentiable.Ops;

public partial class M
{
    [Differentiable] public static Tensor F(Tensor x, Tensor y, double s)
        => Sum(Concat(x, x, axis: 0) * Concat(Transpose(y), (x * s) * 2.0, axis: 0), axis: 0);
}
