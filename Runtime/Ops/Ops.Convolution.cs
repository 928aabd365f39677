using System.Runtime.CompilerServices;
using Differentiable.Cpu;

namespace Differentiable;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as torch.nn.functional.conv2d) of x (N, C, H, W) with weight (F, C, kH, kW):
    /// the result is (N, F, ⌊(H + 2·padding − kH) / stride⌋ + 1, ⌊(W + 2·padding − kW) / stride⌋ + 1). The optional
    /// bias (F) is added per output channel.
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0,
        [CallerArgumentExpression(nameof(x))] string? xName = null, [CallerArgumentExpression(nameof(weight))] string? weightName = null)
    {
        var g = ConvWindow("Conv2d", x, weight, stride, padding, Dispatch.Name(xName, "x"), Dispatch.Name(weightName, "weight"));
        var f = weight.ShapeArray[0];
        var y = Tensor.Uninitialized(new[] { g.N, f, g.OH, g.OW }, x.DType);
        if (x.DType == DType.Float32) Convolution.Forward<float>(x.ReadOnlySpan<float>(), weight.ReadOnlySpan<float>(), y.Span<float>(), g, f);
        else Convolution.Forward<double>(x.ReadOnlySpan<double>(), weight.ReadOnlySpan<double>(), y.Span<double>(), g, f);
        // The generator lowers the bias to this same broadcast Add, so eager and generated values agree bit for bit.
        return bias is null ? y : Add(y, Reshape(bias, -1, 1, 1));
    }

    /// <summary>Maximum over kernel×kernel windows of x (N, C, H, W) (torch's max_pool2d; stride defaults to kernel; padding never wins).</summary>
    public static Tensor MaxPool2d(Tensor x, int kernel, int? stride = null, int padding = 0, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        var g = PoolWindow("MaxPool2d", x, kernel, stride ?? kernel, padding, Dispatch.Name(xName, "x"));
        var y = Tensor.Uninitialized(new[] { g.N, g.C, g.OH, g.OW }, x.DType);
        if (x.DType == DType.Float32) Pooling.MaxForward<float>(x.ReadOnlySpan<float>(), y.Span<float>(), g);
        else Pooling.MaxForward<double>(x.ReadOnlySpan<double>(), y.Span<double>(), g);
        return y;
    }

    /// <summary>Mean over kernel×kernel windows of x (N, C, H, W); padding counts as zeros (torch's default count_include_pad).</summary>
    public static Tensor AvgPool2d(Tensor x, int kernel, int? stride = null, int padding = 0, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        var g = PoolWindow("AvgPool2d", x, kernel, stride ?? kernel, padding, Dispatch.Name(xName, "x"));
        var y = Tensor.Uninitialized(new[] { g.N, g.C, g.OH, g.OW }, x.DType);
        if (x.DType == DType.Float32) Pooling.AvgForward<float>(x.ReadOnlySpan<float>(), y.Span<float>(), g);
        else Pooling.AvgForward<double>(x.ReadOnlySpan<double>(), y.Span<double>(), g);
        return y;
    }

    /// <summary>The mean of each channel of x (N, C, H, W): (N, C). Computed as the mean over W, then over H (as the generator lowers it).</summary>
    public static Tensor GlobalAvgPool2d(Tensor x, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4)
            throw new ShapeMismatchException($"GlobalAvgPool2d({Dispatch.Name(xName, "x")}): expected an (N, C, H, W) tensor, got shape {x.ShapeString()}.");
        return Mean(Mean(x, 3), 2);
    }

    /// <summary>x (N, ...) as (N, rest): what sits between convolutional and linear layers.</summary>
    public static Tensor Flatten(Tensor x, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 1)
            throw new ShapeMismatchException($"Flatten({Dispatch.Name(xName, "x")}): a scalar has no batch dimension to keep.");
        var n = x.ShapeArray[0];
        return x.CopyWithShape(new[] { n, n == 0 ? 0 : x.Length / n });
    }

    /// <summary>a and b joined along <paramref name="axis"/> (torch.cat([a, b], axis)); all other dimensions must agree.</summary>
    public static Tensor Concat(Tensor a, Tensor b, int axis, [CallerArgumentExpression(nameof(a))] string? aName = null, [CallerArgumentExpression(nameof(b))] string? bName = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var an = Dispatch.Name(aName, "a");
        var bn = Dispatch.Name(bName, "b");
        Dispatch.SameDType("Concat", a, b, an, bn);
        var ax = Dispatch.Axis("Concat", axis, a.Rank, an, a);
        var compatible = a.Rank == b.Rank;
        for (var d = 0; compatible && d < a.Rank; d++) compatible = d == ax || a.ShapeArray[d] == b.ShapeArray[d];
        if (!compatible)
            throw new ShapeMismatchException($"Concat({an}, {bn}, axis: {axis}): shapes {a.ShapeString()} and {b.ShapeString()} must agree on every axis but {axis}.");
        var shape = a.CopyShape();
        shape[ax] += b.ShapeArray[ax];
        var (outer, na, inner) = Dispatch.Split(a.ShapeArray, ax);
        var result = Tensor.Uninitialized(shape, a.DType);
        if (a.DType == DType.Float32) Concatenation.Concat(a.ReadOnlySpan<float>(), b.ReadOnlySpan<float>(), result.Span<float>(), outer, na, b.ShapeArray[ax], inner);
        else Concatenation.Concat(a.ReadOnlySpan<double>(), b.ReadOnlySpan<double>(), result.Span<double>(), outer, na, b.ShapeArray[ax], inner);
        return result;
    }

    /// <summary>
    /// The tensors joined along <paramref name="axis"/> in order (torch.cat(tensors, axis)): <c>Concat([p1, p2, p3, p4], axis: 1)</c>
    /// stacks the channels of Inception's four paths. All other dimensions must agree.
    /// </summary>
    public static Tensor Concat(ReadOnlySpan<Tensor> tensors, int axis)
    {
        if (tensors.Length == 0) throw new ArgumentException("Concat([], axis): at least one tensor is needed.", nameof(tensors));
        for (var i = 0; i < tensors.Length; i++)
            if (tensors[i] is null) throw new ArgumentNullException(nameof(tensors), $"Concat: tensor {i} is null.");
        var first = tensors[0];
        var ax = Dispatch.Axis("Concat", axis, first.Rank, "tensors[0]", first);
        var shape = first.CopyShape();
        shape[ax] = 0;
        for (var i = 0; i < tensors.Length; i++)
        {
            var t = tensors[i];
            Dispatch.SameDType("Concat", first, t, "tensors[0]", $"tensors[{i}]");
            var compatible = t.Rank == first.Rank;
            for (var d = 0; compatible && d < t.Rank; d++) compatible = d == ax || t.ShapeArray[d] == first.ShapeArray[d];
            if (!compatible)
                throw new ShapeMismatchException($"Concat(tensors, axis: {axis}): tensors[{i}] of shape {t.ShapeString()} and tensors[0] of shape {first.ShapeString()} must agree on every axis but {axis}.");
            shape[ax] += t.ShapeArray[ax];
        }
        var (outer, _, inner) = Dispatch.Split(first.ShapeArray, ax);
        var result = Tensor.Uninitialized(shape, first.DType);
        for (int i = 0, start = 0; i < tensors.Length; start += tensors[i].ShapeArray[ax], i++)
        {
            var t = tensors[i];
            if (t.DType == DType.Float32) Concatenation.Place(t.ReadOnlySpan<float>(), result.Span<float>(), outer, shape[ax], start, t.ShapeArray[ax], inner);
            else Concatenation.Place(t.ReadOnlySpan<double>(), result.Span<double>(), outer, shape[ax], start, t.ShapeArray[ax], inner);
        }
        return result;
    }

    internal static Window ConvWindow(string op, Tensor x, Tensor weight, int stride, int padding, string xn, string wn)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        Dispatch.SameDType(op, x, weight, xn, wn);
        if (x.Rank != 4 || weight.Rank != 4)
            throw new ShapeMismatchException($"{op}({xn}, {wn}): expected {xn} (N, C, H, W) and {wn} (F, C, kH, kW), got {x.ShapeString()} and {weight.ShapeString()}.");
        if (x.ShapeArray[1] != weight.ShapeArray[1])
            throw new ShapeMismatchException($"{op}({xn}, {wn}): {xn} of shape {x.ShapeString()} has {x.ShapeArray[1]} channels but {wn} of shape {weight.ShapeString()} expects {weight.ShapeArray[1]}.");
        return CheckedWindow(op, xn, x, weight.ShapeArray[2], weight.ShapeArray[3], stride, padding, pooling: false);
    }

    internal static Window PoolWindow(string op, Tensor x, int kernel, int stride, int padding, string xn)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 4) throw new ShapeMismatchException($"{op}({xn}): expected an (N, C, H, W) tensor, got shape {x.ShapeString()}.");
        if (kernel < 1) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"{op}({xn}): the kernel size must be positive.");
        return CheckedWindow(op, xn, x, kernel, kernel, stride, padding, pooling: true);
    }

    private static Window CheckedWindow(string op, string xn, Tensor x, int kh, int kw, int stride, int padding, bool pooling)
    {
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), stride, $"{op}({xn}): the stride must be positive.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, $"{op}({xn}): the padding must not be negative.");
        if (pooling && 2 * padding > Math.Min(kh, kw))
            throw new ArgumentOutOfRangeException(nameof(padding), padding, $"{op}({xn}): the padding ({padding}) must be at most half the kernel size ({kh}).");
        var s = x.ShapeArray;
        var g = new Window(s[0], s[1], s[2], s[3], kh, kw, stride, padding);
        if (s[2] + 2 * padding < kh || s[3] + 2 * padding < kw)
            throw new ShapeMismatchException($"{op}({xn}): a {kh}×{kw} window does not fit in {xn} of shape {x.ShapeString()} with padding {padding}.");
        return g;
    }
}
