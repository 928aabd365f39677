using System.Runtime.CompilerServices;
using Differentiable.Cpu;

namespace Differentiable;

public static partial class Ops
{
    private enum Reduction { Sum, Max, LogSumExp, ArgMax }

    /// <summary>Sum along <paramref name="axis"/> (all elements when null, giving rank 0 unless <paramref name="keepDims"/>).</summary>
    public static Tensor Sum(Tensor x, int? axis = null, bool keepDims = false, [CallerArgumentExpression(nameof(x))] string? xName = null) =>
        Reduce("Sum", Reduction.Sum, x, axis, keepDims, xName);

    /// <summary>The Frobenius (2-)norm of all elements, √Σx², as a rank-0 tensor (torch's <c>x.norm()</c>).</summary>
    public static Tensor Norm(Tensor x, [CallerArgumentExpression(nameof(x))] string? xName = null) =>
        Sqrt(Reduce("Norm", Reduction.Sum, Mul(x, x), null, false, xName));

    public static Tensor Mean(Tensor x, int? axis = null, bool keepDims = false, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        var sum = Reduce("Mean", Reduction.Sum, x, axis, keepDims, xName);
        // Reduce has validated the axis; an empty slice gives 0/0 = NaN, as in torch.
        var count = axis is { } a ? x.ShapeArray[Dispatch.Axis("Mean", a, x.Rank, "x", x)] : x.Length;
        return Div(sum, count);
    }

    /// <summary>Maximum along <paramref name="axis"/> (torch.amax); NaN propagates.</summary>
    public static Tensor Max(Tensor x, int? axis = null, bool keepDims = false, [CallerArgumentExpression(nameof(x))] string? xName = null) =>
        Reduce("Max", Reduction.Max, x, axis, keepDims, xName);

    /// <summary>log Σ exp(x) along <paramref name="axis"/>, computed as max + log Σ exp(x − max) so it never overflows.</summary>
    public static Tensor LogSumExp(Tensor x, int? axis = null, bool keepDims = false, [CallerArgumentExpression(nameof(x))] string? xName = null) =>
        Reduce("LogSumExp", Reduction.LogSumExp, x, axis, keepDims, xName);

    /// <summary>Index of the first maximum along <paramref name="axis"/> (flat index when null), as a tensor of x's dtype.</summary>
    public static Tensor ArgMax(Tensor x, int? axis = null, [CallerArgumentExpression(nameof(x))] string? xName = null) =>
        Reduce("ArgMax", Reduction.ArgMax, x, axis, false, xName);

    /// <summary>exp(x) / Σ exp(x) along <paramref name="axis"/>, max-shifted.</summary>
    public static Tensor Softmax(Tensor x, int axis = -1, [CallerArgumentExpression(nameof(x))] string? xName = null) =>
        SoftmaxCore("Softmax", x, axis, xName, log: false);

    /// <summary>x − LogSumExp(x, axis, keepDims: true), computed in one stable pass.</summary>
    public static Tensor LogSoftmax(Tensor x, int axis = -1, [CallerArgumentExpression(nameof(x))] string? xName = null) =>
        SoftmaxCore("LogSoftmax", x, axis, xName, log: true);

    private static Tensor Reduce(string op, Reduction kind, Tensor x, int? axis, bool keepDims, string? xName)
    {
        ArgumentNullException.ThrowIfNull(x);
        var name = Dispatch.Name(xName, "x");
        int? a = axis is { } given ? Dispatch.Axis(op, given, x.Rank, name, x) : null;
        var (outer, n, inner) = Dispatch.Split(x.ShapeArray, a);
        if (n == 0 && kind is Reduction.Max or Reduction.ArgMax)
            throw new ArgumentException($"{op}({name}): cannot reduce an empty {(a is null ? "tensor" : "axis")} (shape {x.ShapeString()}).");
        var result = Tensor.Uninitialized(Dispatch.ReducedShape(x.ShapeArray, a, keepDims), x.DType);
        if (x.DType == DType.Float32) Run<float>(kind, x.ReadOnlySpan<float>(), result.Span<float>(), outer, n, inner);
        else Run<double>(kind, x.ReadOnlySpan<double>(), result.Span<double>(), outer, n, inner);
        return result;
    }

    private static void Run<T>(Reduction kind, ReadOnlySpan<T> x, Span<T> dst, int outer, int n, int inner)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        switch (kind)
        {
            case Reduction.Sum: Reductions.Sum(x, dst, outer, n, inner); break;
            case Reduction.Max: Reductions.Max(x, dst, outer, n, inner); break;
            case Reduction.LogSumExp: Reductions.LogSumExp(x, dst, outer, n, inner); break;
            default: Reductions.ArgMax(x, dst, outer, n, inner); break;
        }
    }

    private static Tensor SoftmaxCore(string op, Tensor x, int axis, string? xName, bool log)
    {
        ArgumentNullException.ThrowIfNull(x);
        var a = Dispatch.Axis(op, axis, x.Rank, Dispatch.Name(xName, "x"), x);
        var (outer, n, inner) = Dispatch.Split(x.ShapeArray, a);
        var result = Tensor.Uninitialized(x.CopyShape(), x.DType);
        if (x.DType == DType.Float32) Reductions.Softmax<float>(x.ReadOnlySpan<float>(), result.Span<float>(), outer, n, inner, log);
        else Reductions.Softmax<double>(x.ReadOnlySpan<double>(), result.Span<double>(), outer, n, inner, log);
        return result;
    }
}
