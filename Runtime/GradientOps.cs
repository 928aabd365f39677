using System.Runtime.CompilerServices;
using Differentiable.Cpu;

namespace Differentiable;

/// <summary>
/// Helpers that only generated backward code calls: the adjoints of broadcasting, reductions and indexing.
/// Kept apart from <see cref="Ops"/> so that user code inside <c>[Differentiable]</c> bodies does not see them.
/// </summary>
public static partial class GradientOps
{
    /// <summary>
    /// Sums <paramref name="g"/> over the axes along which <paramref name="x"/> was broadcast, giving x's shape.
    /// Returns <paramref name="g"/> itself when the shapes already agree (the common, unbroadcast case).
    /// </summary>
    public static Tensor SumToShapeOf(Tensor g, Tensor x, [CallerArgumentExpression(nameof(g))] string? gName = null, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(x);
        if (g.SameShape(x)) return g;
        var gn = Dispatch.Name(gName, "g");
        var xn = Dispatch.Name(xName, "x");
        Dispatch.SameDType("SumToShapeOf", g, x, gn, xn);
        if (!Broadcasting.BroadcastsTo(x.ShapeArray, g.ShapeArray))
            throw new ShapeMismatchException(
                $"SumToShapeOf({gn}, {xn}): {xn} of shape {x.ShapeString()} does not broadcast to {gn}'s shape {g.ShapeString()}.");
        var result = Tensor.ZerosOwned(x.CopyShape(), x.DType);
        var strides = Broadcasting.Strides(x.ShapeArray, g.ShapeArray);
        if (g.DType == DType.Float32) Broadcast.SumInto<float>(g.ReadOnlySpan<float>(), g.ShapeArray, result.Span<float>(), strides);
        else Broadcast.SumInto<double>(g.ReadOnlySpan<double>(), g.ShapeArray, result.Span<double>(), strides);
        return result;
    }

    /// <summary>
    /// <paramref name="g"/> is a reduction of <paramref name="x"/> along <paramref name="axis"/> (all axes when null)
    /// with <paramref name="keepDims"/>; repeats it along the reduced axis to x's shape.
    /// </summary>
    public static Tensor ExpandAlong(Tensor g, Tensor x, int? axis, bool keepDims, [CallerArgumentExpression(nameof(g))] string? gName = null, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        string gn = Dispatch.Name(gName, "g"), xn = Dispatch.Name(xName, "x");
        var (outer, n, inner) = CheckReduced("ExpandAlong", $"ExpandAlong({gn}, {xn})", g, x, axis, keepDims, gn, xn);
        var result = Tensor.Uninitialized(x.CopyShape(), x.DType);
        if (x.DType == DType.Float32) Reductions.ExpandAxis<float>(g.ReadOnlySpan<float>(), result.Span<float>(), outer, n, inner);
        else Reductions.ExpandAxis<double>(g.ReadOnlySpan<double>(), result.Span<double>(), outer, n, inner);
        return result;
    }

    /// <summary>
    /// Checks that <paramref name="reduced"/> has the shape of <paramref name="x"/> reduced along <paramref name="axis"/>
    /// (all axes when null) with <paramref name="keepDims"/>, and splits x's shape around that axis for the kernels.
    /// </summary>
    private static (int Outer, int N, int Inner) CheckReduced(string op, string call, Tensor reduced, Tensor x, int? axis, bool keepDims, string reducedName, string xName)
    {
        ArgumentNullException.ThrowIfNull(reduced);
        ArgumentNullException.ThrowIfNull(x);
        Dispatch.SameDType(op, reduced, x, reducedName, xName);
        int? a = axis is { } given ? Dispatch.Axis(op, given, x.Rank, xName, x) : null;
        var expected = Dispatch.ReducedShape(x.ShapeArray, a, keepDims);
        if (!reduced.ShapeArray.AsSpan().SequenceEqual(expected))
            throw new ShapeMismatchException(
                $"{call}: {reducedName} has shape {reduced.ShapeString()}, but reducing {xName} of shape {x.ShapeString()} along {(a is null ? "all axes" : $"axis {axis}")} gives {Tensor.Format(expected)}.");
        return Dispatch.Split(x.ShapeArray, a);
    }

    /// <summary>The adjoint of Mean: <see cref="ExpandAlong"/> divided by the number of elements averaged.</summary>
    public static Tensor ExpandMeanAlong(Tensor g, Tensor x, int? axis, bool keepDims, [CallerArgumentExpression(nameof(g))] string? gName = null, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        var expanded = ExpandAlong(g, x, axis, keepDims, gName, xName);
        var count = axis is { } a ? x.ShapeArray[a < 0 ? a + x.Rank : a] : x.Length;
        return Ops.Div(expanded, count);
    }

    /// <summary>
    /// x's shape: 1/k at the k positions of each slice equal to that slice's maximum (<paramref name="max"/>, the result
    /// of Max(x, axis, keepDims)), 0 elsewhere — torch.amax's gradient, split evenly among ties.
    /// </summary>
    public static Tensor MaxMask(Tensor x, Tensor max, int? axis, bool keepDims, [CallerArgumentExpression(nameof(x))] string? xName = null, [CallerArgumentExpression(nameof(max))] string? maxName = null)
    {
        string xn = Dispatch.Name(xName, "x"), mn = Dispatch.Name(maxName, "max");
        var (outer, n, inner) = CheckReduced("MaxMask", $"MaxMask({xn}, {mn})", max, x, axis, keepDims, mn, xn);
        var result = Tensor.Uninitialized(x.CopyShape(), x.DType);
        if (x.DType == DType.Float32) Reductions.MaxMask<float>(x.ReadOnlySpan<float>(), max.ReadOnlySpan<float>(), result.Span<float>(), outer, n, inner);
        else Reductions.MaxMask<double>(x.ReadOnlySpan<double>(), max.ReadOnlySpan<double>(), result.Span<double>(), outer, n, inner);
        return result;
    }

    /// <summary>
    /// ReLU's gradient in one pass: <paramref name="dy"/> where <paramref name="y"/> (ReLU's output) is positive, else 0
    /// (a NaN or infinite dy included, as PyTorch's threshold_backward): dy ⊙ [y &gt; 0] without the mask tensor.
    /// </summary>
    public static Tensor ReluGradient(Tensor dy, Tensor y, [CallerArgumentExpression(nameof(dy))] string? dyName = null, [CallerArgumentExpression(nameof(y))] string? yName = null) =>
        Dispatch.Binary<ReluGradientOp>("ReluGradient", dy, y, dyName, yName);

    /// <summary>Broadcast shape: 1 where a &gt; b, 0.5 where a == b, 0 where a &lt; b (ties share Maximum's gradient).</summary>
    public static Tensor GreaterMask(Tensor a, Tensor b, [CallerArgumentExpression(nameof(a))] string? aName = null, [CallerArgumentExpression(nameof(b))] string? bName = null) =>
        Dispatch.Binary<GreaterMaskOp>("GreaterMask", a, b, aName, bName);

    /// <summary>GreaterMask against a number: the backward of Maximum/Minimum with a number operand.</summary>
    public static Tensor GreaterMask(Tensor a, double b) => Dispatch.ScalarRight<GreaterMaskOp>(a, b);

    public static Tensor GreaterMask(double a, Tensor b) => Dispatch.ScalarLeft<GreaterMaskOp>(a, b);

    /// <summary>Zeros shaped like <paramref name="like"/> (n, c) with g[i] at [i, y[i]]: the adjoint of Gather.</summary>
    public static Tensor ScatterLabels(Tensor g, Labels y, Tensor like, [CallerArgumentExpression(nameof(g))] string? gName = null, [CallerArgumentExpression(nameof(y))] string? yName = null, [CallerArgumentExpression(nameof(like))] string? likeName = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        var gn = Dispatch.Name(gName, "g");
        var ln = Dispatch.Name(likeName, "like");
        Ops.CheckLabels("ScatterLabels", like, y, ln, Dispatch.Name(yName, "y"));
        Dispatch.SameDType("ScatterLabels", g, like, gn, ln);
        if (g.Rank != 1 || g.ShapeArray[0] != y.Count)
            throw new ShapeMismatchException($"ScatterLabels({gn}, {ln}): {gn} must have shape ({y.Count}), one value per label, but has shape {g.ShapeString()}.");
        var c = like.ShapeArray[1];
        var result = Tensor.Uninitialized(like.CopyShape(), like.DType);
        if (g.DType == DType.Float32) Indexing.Scatter<float>(g.ReadOnlySpan<float>(), y.Values, result.Span<float>(), c);
        else Indexing.Scatter<double>(g.ReadOnlySpan<double>(), y.Values, result.Span<double>(), c);
        return result;
    }

    /// <summary><paramref name="g"/> reshaped to <paramref name="x"/>'s shape: the adjoint of Reshape.</summary>
    public static Tensor ReshapeLike(Tensor g, Tensor x, [CallerArgumentExpression(nameof(g))] string? gName = null, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(x);
        if (g.Length != x.Length)
            throw new ShapeMismatchException(
                $"ReshapeLike({Dispatch.Name(gName, "g")}, {Dispatch.Name(xName, "x")}): {g.Length} elements of shape {g.ShapeString()} cannot take the shape {x.ShapeString()}.");
        return g.CopyWithShape(x.CopyShape());
    }

    /// <summary>
    /// The upstream gradient of a generated backward pass: <paramref name="seed"/> if given (it must have the value's
    /// shape and dtype), else ones — i.e. the gradient of Σ value.
    /// </summary>
    public static Tensor Seed(Tensor value, Tensor? seed, [CallerArgumentExpression(nameof(value))] string? valueName = null, [CallerArgumentExpression(nameof(seed))] string? seedName = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (seed is null) return Ops.OnesLike(value);
        var vn = Dispatch.Name(valueName, "value");
        var sn = Dispatch.Name(seedName, "seed");
        if (!seed.SameShape(value))
            throw new ShapeMismatchException($"Seed({vn}, {sn}): the upstream gradient {sn} has shape {seed.ShapeString()}, but {vn} has shape {value.ShapeString()}; they must be equal.");
        Dispatch.SameDType("Seed", value, seed, vn, sn);
        return seed;
    }
}
