// Fuzz case all:7130613:204 (found by seed 7130613), the unused int argument dropped (a check line takes doubles only).
// F's value overflows to +Infinity at its random inputs in the eager method and the generated one alike: the checker
// called two equal infinities different (|∞ − ∞| is NaN) and the case a failed gradient check. Equal values agree now,
// and a value that is not finite in the eager method too is Unchecked: differences of it say nothing about the gradient.
// check: static F(x: 3x4, y: 3x4)
using Differentiable;
using static Differentiable.Ops;

public partial class M
{
    [Differentiable] public static Tensor G0(Tensor a, Tensor b) => Mean(a);
    [Differentiable] public static Tensor G1(Tensor a, Tensor b)
    {
        var h0 = Transpose(b);
        h0 = h0;
        if ((Sum(a, axis: 1)).Norm().Item() > 1e9 || 1 < 2)
        {
            h0 = h0 * 0.5 + Tanh(Log(Abs((h0 / (Sigmoid(h0) + 0.5))) + 0.5));
        }
        return (((Max(a) * Sum(a)) - Mean(a, axis: 0)) - ((Sum(Transpose(a), axis: 1, keepDims: true) / (Sigmoid(h0) + 0.5))).Transpose());
    }
    [Differentiable] public static Tensor F(Tensor x, Tensor y)
    {
        var h2 = G1(Cos(x), x);
        h2 = G1(G1(Log(Exp(x) + 1), x), h2);
        return Log(Exp(G1(G1(h2, h2), G1(h2, x))) + 1);
    }
}
