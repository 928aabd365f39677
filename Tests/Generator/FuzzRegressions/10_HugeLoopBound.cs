// A loop with a constant but huge trip count (2^31 / 1000 iterations, near int overflow): unrolling it
// must be refused with a diagnostic within a bounded time, not attempted.
using Differentiable;
using static Differentiable.Ops;

public partial class M
{
    [Parameter] public Tensor W = Tensor.Ones(2, 2);
    [Differentiable] public Tensor F(Tensor x)
    {
        var h = x;
        for (int i = 0; i < 2147483647; i += 1000) h = h + W;
        return h;
    }
}
