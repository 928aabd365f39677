using System.Runtime.CompilerServices;
using Differentiable.Cpu;

namespace Differentiable;

public static partial class GradientOps
{
    /// <summary>The adjoint of Conv2d for its input: the transposed convolution of <paramref name="g"/> with the weight, shaped like <paramref name="x"/>.</summary>
    public static Tensor Conv2dInputGradient(Tensor g, Tensor weight, Tensor x, int stride = 1, int padding = 0,
        [CallerArgumentExpression(nameof(g))] string? gName = null, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        var w = Ops.ConvWindow("Conv2dInputGradient", x, weight, stride, padding, Dispatch.Name(xName, "x"), "weight");
        var f = weight.ShapeArray[0];
        CheckUpstream("Conv2dInputGradient", g, new[] { w.N, f, w.OH, w.OW }, x, Dispatch.Name(gName, "g"));
        var dx = Tensor.Uninitialized(x.CopyShape(), x.DType);
        if (x.DType == DType.Float32) Convolution.InputGradient<float>(g.ReadOnlySpan<float>(), weight.ReadOnlySpan<float>(), dx.Span<float>(), w, f);
        else Convolution.InputGradient<double>(g.ReadOnlySpan<double>(), weight.ReadOnlySpan<double>(), dx.Span<double>(), w, f);
        return dx;
    }

    /// <summary>The adjoint of Conv2d for its weight: the correlation of the input <paramref name="x"/> with <paramref name="g"/>, shaped like the weight.</summary>
    public static Tensor Conv2dWeightGradient(Tensor g, Tensor x, Tensor weight, int stride = 1, int padding = 0,
        [CallerArgumentExpression(nameof(g))] string? gName = null, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        var w = Ops.ConvWindow("Conv2dWeightGradient", x, weight, stride, padding, Dispatch.Name(xName, "x"), "weight");
        var f = weight.ShapeArray[0];
        CheckUpstream("Conv2dWeightGradient", g, new[] { w.N, f, w.OH, w.OW }, x, Dispatch.Name(gName, "g"));
        var dw = Tensor.Uninitialized(weight.CopyShape(), x.DType);
        if (x.DType == DType.Float32) Convolution.WeightGradient<float>(g.ReadOnlySpan<float>(), x.ReadOnlySpan<float>(), dw.Span<float>(), w, f);
        else Convolution.WeightGradient<double>(g.ReadOnlySpan<double>(), x.ReadOnlySpan<double>(), dw.Span<double>(), w, f);
        return dw;
    }

    /// <summary>The adjoint of MaxPool2d: each window's gradient goes to the first maximum of that window of <paramref name="x"/>.</summary>
    public static Tensor MaxPool2dBackward(Tensor g, Tensor x, int kernel, int? stride = null, int padding = 0,
        [CallerArgumentExpression(nameof(g))] string? gName = null, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        var w = Ops.PoolWindow("MaxPool2dBackward", x, kernel, stride ?? kernel, padding, Dispatch.Name(xName, "x"));
        CheckUpstream("MaxPool2dBackward", g, new[] { w.N, w.C, w.OH, w.OW }, x, Dispatch.Name(gName, "g"));
        var dx = Tensor.Uninitialized(x.CopyShape(), x.DType);
        if (x.DType == DType.Float32) Pooling.MaxBackward<float>(g.ReadOnlySpan<float>(), x.ReadOnlySpan<float>(), dx.Span<float>(), w);
        else Pooling.MaxBackward<double>(g.ReadOnlySpan<double>(), x.ReadOnlySpan<double>(), dx.Span<double>(), w);
        return dx;
    }

    /// <summary>The adjoint of AvgPool2d: each window's gradient shared evenly (÷ kernel²) among the positions it covers.</summary>
    public static Tensor AvgPool2dBackward(Tensor g, Tensor x, int kernel, int? stride = null, int padding = 0,
        [CallerArgumentExpression(nameof(g))] string? gName = null, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        var w = Ops.PoolWindow("AvgPool2dBackward", x, kernel, stride ?? kernel, padding, Dispatch.Name(xName, "x"));
        CheckUpstream("AvgPool2dBackward", g, new[] { w.N, w.C, w.OH, w.OW }, x, Dispatch.Name(gName, "g"));
        var dx = Tensor.Uninitialized(x.CopyShape(), x.DType);
        if (x.DType == DType.Float32) Pooling.AvgBackward<float>(g.ReadOnlySpan<float>(), dx.Span<float>(), w);
        else Pooling.AvgBackward<double>(g.ReadOnlySpan<double>(), dx.Span<double>(), w);
        return dx;
    }

    /// <summary>
    /// The part of <paramref name="g"/> along <paramref name="axis"/> that has <paramref name="like"/>'s extent: the leading
    /// part, or the trailing part when <paramref name="fromEnd"/> — the adjoint of Concat for its first or second operand.
    /// </summary>
    public static Tensor SliceLike(Tensor g, Tensor like, int axis, bool fromEnd = false,
        [CallerArgumentExpression(nameof(g))] string? gName = null, [CallerArgumentExpression(nameof(like))] string? likeName = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(like);
        var gn = Dispatch.Name(gName, "g");
        var ln = Dispatch.Name(likeName, "like");
        Dispatch.SameDType("SliceLike", g, like, gn, ln);
        var ax = Dispatch.Axis("SliceLike", axis, g.Rank, gn, g);
        var fits = g.Rank == like.Rank;
        for (var d = 0; fits && d < g.Rank; d++) fits = d == ax ? like.ShapeArray[d] <= g.ShapeArray[d] : like.ShapeArray[d] == g.ShapeArray[d];
        if (!fits)
            throw new ShapeMismatchException($"SliceLike({gn}, {ln}, axis: {axis}): {ln} of shape {like.ShapeString()} is not a part of {gn} of shape {g.ShapeString()} along axis {axis}.");
        var (outer, n, inner) = Dispatch.Split(g.ShapeArray, ax);
        var count = like.ShapeArray[ax];
        var start = fromEnd ? n - count : 0;
        var result = Tensor.Uninitialized(like.CopyShape(), g.DType);
        if (g.DType == DType.Float32) Concatenation.Slice(g.ReadOnlySpan<float>(), result.Span<float>(), outer, n, start, count, inner);
        else Concatenation.Slice(g.ReadOnlySpan<double>(), result.Span<double>(), outer, n, start, count, inner);
        return result;
    }

    private static void CheckUpstream(string op, Tensor g, int[] expected, Tensor x, string gn)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (!g.ShapeArray.AsSpan().SequenceEqual(expected))
            throw new ShapeMismatchException($"{op}({gn}): the upstream gradient has shape {g.ShapeString()}, but the forward result has shape {Tensor.Format(expected)}.");
        if (g.DType != x.DType)
            throw new ArgumentException($"{op}({gn}): {gn} is {g.DType.Name()} but the input is {x.DType.Name()}.");
    }
}
