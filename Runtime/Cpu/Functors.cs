using System.Numerics;
using System.Runtime.Intrinsics;

namespace Differentiable.Cpu;

// Ops are passed to kernels as struct type arguments with static abstract members: the JIT specialises each
// kernel per (op, element type) pair and inlines the op, so one generic loop serves every elementwise op.

/// <summary>An elementwise function of one value.</summary>
internal interface IUnaryFunctor
{
    static abstract T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>True when <see cref="Apply512{T}"/> and <see cref="Apply256{T}"/> implement the op for float and double.</summary>
    static virtual bool Vectorized => false;

    static virtual Vector512<T> Apply512<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => throw new NotSupportedException();

    static virtual Vector256<T> Apply256<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => throw new NotSupportedException();
}

/// <summary>An elementwise function of two values.</summary>
internal interface IBinaryFunctor
{
    static abstract T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>True when the vector overloads implement the op exactly as <see cref="Apply{T}"/> does, lane by lane.</summary>
    static virtual bool Vectorized => false;

    static virtual Vector512<T> Apply512<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => throw new NotSupportedException();

    static virtual Vector256<T> Apply256<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => throw new NotSupportedException();
}

internal readonly struct NegOp : IUnaryFunctor
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
    public static bool Vectorized => true;
    public static Vector512<T> Apply512<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
    public static Vector256<T> Apply256<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
}
// Exp, Log, Sin, Cos, Tanh and Sigmoid are scalar here: their float32 tensors go through the vector kernels of
// Exponentials and Trigonometry instead (.NET 10's Vector512/Vector256.Exp/Sin/Cos measured 1.3–2.4× slower than the
// scalar calls: software fallbacks); float64 keeps these scalar calls for the gradient checks' precision.
internal readonly struct ExpOp : IUnaryFunctor { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Exp(x); }
internal readonly struct LogOp : IUnaryFunctor { public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Log(x); }
internal readonly struct SqrtOp : IUnaryFunctor
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x);
    public static bool Vectorized => true;
    public static Vector512<T> Apply512<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Sqrt(x);
    public static Vector256<T> Apply256<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Sqrt(x);
}
internal readonly struct AbsOp : IUnaryFunctor
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(x);
    public static bool Vectorized => true;
    public static Vector512<T> Apply512<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.Abs(x);
    public static Vector256<T> Apply256<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Abs(x);
}
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

internal readonly struct ReluOp : IUnaryFunctor
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? x : T.Zero;
    public static bool Vectorized => true;
    public static Vector512<T> Apply512<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, Vector512<T>.Zero);
    public static Vector256<T> Apply256<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, Vector256<T>.Zero);
}

/// <summary>−1, 0 or 1; NaN stays NaN (T.Sign would throw on it).</summary>
internal readonly struct SignOp : IUnaryFunctor
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> =>
        x > T.Zero ? T.One : x < T.Zero ? -T.One : x == T.Zero ? T.Zero : x;
}

internal readonly struct StepOp : IUnaryFunctor
{
    public static T Apply<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : T.Zero;
    public static bool Vectorized => true;
    public static Vector512<T> Apply512<T>(Vector512<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector512.GreaterThan(x, Vector512<T>.Zero) & Vector512<T>.One;
    public static Vector256<T> Apply256<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.GreaterThan(x, Vector256<T>.Zero) & Vector256<T>.One;
}

internal readonly struct AddOp : IBinaryFunctor
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public static bool Vectorized => true;
    public static Vector512<T> Apply512<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
    public static Vector256<T> Apply256<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a + b;
}
internal readonly struct SubOp : IBinaryFunctor
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
    public static bool Vectorized => true;
    public static Vector512<T> Apply512<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
    public static Vector256<T> Apply256<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a - b;
}
internal readonly struct MulOp : IBinaryFunctor
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
    public static bool Vectorized => true;
    public static Vector512<T> Apply512<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
    public static Vector256<T> Apply256<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a * b;
}
internal readonly struct DivOp : IBinaryFunctor
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
    public static bool Vectorized => true;
    public static Vector512<T> Apply512<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
    public static Vector256<T> Apply256<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> => a / b;
}

/// <summary>IEEE maximum: NaN in either operand gives NaN, like torch.maximum.</summary>
internal readonly struct MaximumOp : IBinaryFunctor { public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Max(a, b); }
internal readonly struct MinimumOp : IBinaryFunctor { public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Min(a, b); }
internal readonly struct PowOp : IBinaryFunctor { public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => T.Pow(a, b); }

/// <summary>a where b &gt; 0, else 0: ReLU's gradient (a the upstream gradient, b ReLU's output), NaN and infinite a included.</summary>
internal readonly struct ReluGradientOp : IBinaryFunctor
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> => b > T.Zero ? a : T.Zero;
    public static bool Vectorized => true;
    public static Vector512<T> Apply512<T>(Vector512<T> a, Vector512<T> b) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(b, Vector512<T>.Zero), a, Vector512<T>.Zero);
    public static Vector256<T> Apply256<T>(Vector256<T> a, Vector256<T> b) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(b, Vector256<T>.Zero), a, Vector256<T>.Zero);
}

/// <summary>The subgradient split of max(a, b): ties share the gradient equally, as torch.maximum's backward does.</summary>
internal readonly struct GreaterMaskOp : IBinaryFunctor
{
    public static T Apply<T>(T a, T b) where T : unmanaged, IFloatingPointIeee754<T> =>
        a > b ? T.One : a == b ? T.CreateTruncating(0.5) : T.Zero;
}
