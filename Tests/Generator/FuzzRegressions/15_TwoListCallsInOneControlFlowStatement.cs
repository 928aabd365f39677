// Fuzz case random:4242:24 (found by seed 4242), minimized: one statement of a body with control flow calls twice a
// method that loops over a list of sub-modules; the generated code adds the two per-element gradient lists with '+='
// (CS0019 on IReadOnlyList<Tensor>). Two calls in two statements compile; in a straight-line body this is DIFF015.
using Differentiable;
using static Differentiable.Ops;

public partial class M
{
    public Sub[] Stack = { new Sub() };

    [Differentiable]
    public Tensor G(Tensor a)
    {
        var h = a;
        foreach (var layer in Stack)
            h = layer.Forward(h);
        return h;
    }

    [Differentiable]
    public Tensor F(Tensor x)
    {
        var h = x;
        if (x.Sum().Item() > 0)
            h = Sin(h);
        return G(h) + G(x);
    }
}

public partial class Sub
{
    [Parameter] public Tensor W = Tensor.Ones(2, 2);

    [Differentiable] public Tensor Forward(Tensor h) => Tanh(h.MatMul(W));
}
