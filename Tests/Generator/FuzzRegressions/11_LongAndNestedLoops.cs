// A 1,023-iteration loop and nested 2x100 loops: unrolled, they must stay fast and compile.
using Differentiable;
using static Differentiable.Ops;

public partial class M
{
    [Parameter] public Tensor W = Tensor.Ones(2, 2);
    [Differentiable] public Tensor F(Tensor x)
    {
        var h = x;
        for (int i = 0; i < 1023; i++) h = h + W * i;
        return h;
    }
    [Differentiable] public Tensor G(Tensor x)
    {
        var h = x;
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 100; j++)
                h = h + W * (i - j);
        return h;
    }
}
