// Fuzz case all:31337:358 (found by seed 31337; ControlFlow.cs with BreakInIf's argument n renamed to p), minimized:
// a number argument named p of a method with control flow; the generated code declares a second parameter 'p'
// (CS0100 The parameter name 'p' is a duplicate). A tensor argument named p is fine.
using Differentiable;
using static Differentiable.Ops;

public static partial class C
{
    [Differentiable]
    public static Tensor F(Tensor x, int p)
    {
        if (p > 0)
            return Sin(x);
        return x;
    }
}
