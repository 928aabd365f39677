using System.Numerics;

namespace Differentiable.Cpu;

// Ops are passed to kernels as struct type arguments with static abstract members: the JIT specialises each
// kernel per (op, element type) pair and inlines the op, so one generic loop serves every elementwise op.

/// <summary>An elementwise function of one value.</summary>
internal interface IUnaryFunctor
{
    static abstract T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>An elementwise function of two values.</summary>
internal interface IBinaryFunctor
{
    static abstract T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>;
}

internal readonly struct NegOp : IUnaryFunctor { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => -x; }
internal readonly struct ExpOp : IUnaryFunctor { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x); }
internal readonly struct LogOp : IUnaryFunctor { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Log(x); }
internal readonly struct SqrtOp : IUnaryFunctor { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x); }
internal readonly struct AbsOp : IUnaryFunctor { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(x); }
internal readonly struct SinOp : IUnaryFunctor { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sin(x); }
internal readonly struct CosOp : IUnaryFunctor { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Cos(x); }
internal readonly struct TanhOp : IUnaryFunctor { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Tanh(x); }

/// <summary>Evaluates exp only of non-positive numbers, so it neither overflows nor loses the tiny tail for large |x|.</summary>
internal readonly struct SigmoidOp : IUnaryFunctor
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x >= T.Zero) return T.One / (T.One + T.Exp(-x));
        var e = T.Exp(x);
        return e / (T.One + e);
    }
}

internal readonly struct ReluOp : IUnaryFunctor { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : T.Zero; }

/// <summary>−1, 0 or 1; NaN stays NaN (T.Sign would throw on it).</summary>
internal readonly struct SignOp : IUnaryFunctor
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> =>
        x > T.Zero ? T.One : x < T.Zero ? -T.One : x == T.Zero ? T.Zero : x;
}

internal readonly struct StepOp : IUnaryFunctor { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : T.Zero; }

internal readonly struct AddOp : IBinaryFunctor { public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a + b; }
internal readonly struct SubOp : IBinaryFunctor { public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a - b; }
internal readonly struct MulOp : IBinaryFunctor { public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a * b; }
internal readonly struct DivOp : IBinaryFunctor { public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a / b; }

/// <summary>IEEE maximum: NaN in either operand gives NaN, like torch.maximum.</summary>
internal readonly struct MaximumOp : IBinaryFunctor { public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(a, b); }
internal readonly struct MinimumOp : IBinaryFunctor { public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Min(a, b); }
internal readonly struct PowOp : IBinaryFunctor { public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(a, b); }

/// <summary>The subgradient split of max(a, b): ties share the gradient equally, as torch.maximum's backward does.</summary>
internal readonly struct GreaterMaskOp : IBinaryFunctor
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> =>
        a > b ? T.One : a == b ? T.CreateTruncating(0.5) : T.Zero;
}
