// A namespace spelled with a verbatim identifier: its name must not leak '@' into hint names or generated code.
namespace @class;

using Differentiable;
using static Differentiable.Ops;

public partial class M
{
    [Differentiable] public static Tensor F(Tensor x) => Sin(x);
}
