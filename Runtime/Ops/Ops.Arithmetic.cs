using System.Runtime.CompilerServices;
using Differentiable.Cpu;

namespace Differentiable;

/// <summary>
/// The tensor functions usable inside <c>[Differentiable]</c> methods. Each runs eagerly; the source generator
/// recognises the same calls and derives their gradients. Binary ops broadcast with NumPy rules.
/// </summary>
public static partial class Ops
{
    public static Tensor Add(Tensor a, Tensor b, [CallerArgumentExpression(nameof(a))] string? aName = null, [CallerArgumentExpression(nameof(b))] string? bName = null) =>
        Dispatch.Binary<AddOp>("Add", a, b, aName, bName);

    public static Tensor Sub(Tensor a, Tensor b, [CallerArgumentExpression(nameof(a))] string? aName = null, [CallerArgumentExpression(nameof(b))] string? bName = null) =>
        Dispatch.Binary<SubOp>("Sub", a, b, aName, bName);

    public static Tensor Mul(Tensor a, Tensor b, [CallerArgumentExpression(nameof(a))] string? aName = null, [CallerArgumentExpression(nameof(b))] string? bName = null) =>
        Dispatch.Binary<MulOp>("Mul", a, b, aName, bName);

    public static Tensor Div(Tensor a, Tensor b, [CallerArgumentExpression(nameof(a))] string? aName = null, [CallerArgumentExpression(nameof(b))] string? bName = null) =>
        Dispatch.Binary<DivOp>("Div", a, b, aName, bName);

    /// <summary>Elementwise max(a, b); NaN wins, as in torch.maximum.</summary>
    public static Tensor Maximum(Tensor a, Tensor b, [CallerArgumentExpression(nameof(a))] string? aName = null, [CallerArgumentExpression(nameof(b))] string? bName = null) =>
        Dispatch.Binary<MaximumOp>("Maximum", a, b, aName, bName);

    /// <summary>Elementwise min(a, b); NaN wins, as in torch.minimum.</summary>
    public static Tensor Minimum(Tensor a, Tensor b, [CallerArgumentExpression(nameof(a))] string? aName = null, [CallerArgumentExpression(nameof(b))] string? bName = null) =>
        Dispatch.Binary<MinimumOp>("Minimum", a, b, aName, bName);

    public static Tensor Add(Tensor a, double b) => Dispatch.ScalarRight<AddOp>(a, b);

    public static Tensor Add(double a, Tensor b) => Dispatch.ScalarLeft<AddOp>(a, b);

    public static Tensor Sub(Tensor a, double b) => Dispatch.ScalarRight<SubOp>(a, b);

    public static Tensor Sub(double a, Tensor b) => Dispatch.ScalarLeft<SubOp>(a, b);

    public static Tensor Mul(Tensor a, double b) => Dispatch.ScalarRight<MulOp>(a, b);

    public static Tensor Mul(double a, Tensor b) => Dispatch.ScalarLeft<MulOp>(a, b);

    public static Tensor Div(Tensor a, double b) => Dispatch.ScalarRight<DivOp>(a, b);

    public static Tensor Div(double a, Tensor b) => Dispatch.ScalarLeft<DivOp>(a, b);

    // Maximum/Minimum against a number (e.g. Maximum(x, 0.1), a leaky clamp) are not in the written contract, but the
    // generator lowers both operands of every binary op as "number or tensor", so the runtime accepts both here too.
    public static Tensor Maximum(Tensor a, double b) => Dispatch.ScalarRight<MaximumOp>(a, b);

    public static Tensor Maximum(double a, Tensor b) => Dispatch.ScalarLeft<MaximumOp>(a, b);

    public static Tensor Minimum(Tensor a, double b) => Dispatch.ScalarRight<MinimumOp>(a, b);

    public static Tensor Minimum(double a, Tensor b) => Dispatch.ScalarLeft<MinimumOp>(a, b);

    /// <summary>x raised to a constant power, elementwise (negative bases with non-integer exponents give NaN).</summary>
    public static Tensor Pow(Tensor x, double exponent) => Dispatch.ScalarRight<PowOp>(x, exponent);

    public static Tensor Neg(Tensor x) => Dispatch.Unary<NegOp>(x);
}
