using Differentiable.Cpu;

namespace Differentiable;

/// <summary>
/// The bridge from <see cref="Tensor"/> to the generic kernels in <c>Cpu/</c>: checks dtypes, allocates results, and
/// picks the float or double instantiation. Op classes stay free of element-type branches apart from these helpers.
/// </summary>
internal static class Dispatch
{
    public static string Name(string? name, string fallback) => string.IsNullOrWhiteSpace(name) ? fallback : name;

    public static void SameDType(string op, Tensor a, Tensor b, string aName, string bName)
    {
        if (a.DType != b.DType)
            throw new ArgumentException(
                $"{op}({aName}, {bName}): {aName} is {a.DType.Name()} but {bName} is {b.DType.Name()}; convert one of them with .To(DType.{a.DType}) or .To(DType.{b.DType}).");
    }

    public static Tensor Unary<TOp>(Tensor x) where TOp : IUnaryFunctor
    {
        ArgumentNullException.ThrowIfNull(x);
        var result = Tensor.Uninitialized(x.CopyShape(), x.DType);
        if (x.DType == DType.Float32) Elementwise.Unary<TOp, float>(x.ReadOnlySpan<float>(), result.Span<float>());
        else Elementwise.Unary<TOp, double>(x.ReadOnlySpan<double>(), result.Span<double>());
        return result;
    }

    /// <summary>A float32-only kernel (float64 takes the generic path), split across the cores on long tensors; the result is a new tensor shaped like x.</summary>
    public static Tensor Float32(Tensor x, ElementwiseSplit.SpanKernel<float> kernel)
    {
        var result = Tensor.Uninitialized(x.CopyShape(), DType.Float32);
        ElementwiseSplit.Run(x.ReadOnlySpan<float>(), result.Span<float>(), kernel);
        return result;
    }

    /// <summary>A broadcasting binary op; the names label the operands in shape and dtype errors.</summary>
    public static Tensor Binary<TOp>(string op, Tensor a, Tensor b, string? aName, string? bName) where TOp : IBinaryFunctor
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var an = Name(aName, "a");
        var bn = Name(bName, "b");
        SameDType(op, a, b, an, bn);
        var shape = Broadcasting.Shape(a.ShapeArray, b.ShapeArray, op, an, bn);
        var result = Tensor.Uninitialized(shape, a.DType);
        if (a.SameShape(b))
        {
            // Equal shapes need no index arithmetic: one flat loop.
            var ones = new int[] { 1 };
            var flat = new int[] { result.Length };
            if (a.DType == DType.Float32) Elementwise.Binary<TOp, float>(a.ReadOnlySpan<float>(), ones, b.ReadOnlySpan<float>(), ones, result.Span<float>(), flat);
            else Elementwise.Binary<TOp, double>(a.ReadOnlySpan<double>(), ones, b.ReadOnlySpan<double>(), ones, result.Span<double>(), flat);
            return result;
        }
        var sa = Broadcasting.Strides(a.ShapeArray, shape);
        var sb = Broadcasting.Strides(b.ShapeArray, shape);
        if (a.DType == DType.Float32) Elementwise.Binary<TOp, float>(a.ReadOnlySpan<float>(), sa, b.ReadOnlySpan<float>(), sb, result.Span<float>(), shape);
        else Elementwise.Binary<TOp, double>(a.ReadOnlySpan<double>(), sa, b.ReadOnlySpan<double>(), sb, result.Span<double>(), shape);
        return result;
    }

    public static Tensor ScalarRight<TOp>(Tensor a, double b) where TOp : IBinaryFunctor
    {
        ArgumentNullException.ThrowIfNull(a);
        var result = Tensor.Uninitialized(a.CopyShape(), a.DType);
        if (a.DType == DType.Float32) Elementwise.ScalarRight<TOp, float>(a.ReadOnlySpan<float>(), (float)b, result.Span<float>());
        else Elementwise.ScalarRight<TOp, double>(a.ReadOnlySpan<double>(), b, result.Span<double>());
        return result;
    }

    public static Tensor ScalarLeft<TOp>(double a, Tensor b) where TOp : IBinaryFunctor
    {
        ArgumentNullException.ThrowIfNull(b);
        var result = Tensor.Uninitialized(b.CopyShape(), b.DType);
        if (b.DType == DType.Float32) Elementwise.ScalarLeft<TOp, float>((float)a, b.ReadOnlySpan<float>(), result.Span<float>());
        else Elementwise.ScalarLeft<TOp, double>(a, b.ReadOnlySpan<double>(), result.Span<double>());
        return result;
    }

    /// <summary>Maps a possibly negative axis (−1 = last) into [0, rank).</summary>
    public static int Axis(string op, int axis, int rank, string xName, Tensor x)
    {
        var normalized = axis < 0 ? axis + rank : axis;
        if (normalized < 0 || normalized >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis,
                $"{op}({xName}): axis {axis} is out of range for {xName} of shape {x.ShapeString()} (valid: {-rank} to {rank - 1}).");
        return normalized;
    }

    /// <summary>Views a shape as (outer, n, inner) around <paramref name="axis"/>; all elements when axis is null.</summary>
    public static (int Outer, int N, int Inner) Split(int[] shape, int? axis)
    {
        if (axis is not { } a) return (1, Tensor.ElementCount(shape), 1);
        int outer = 1, inner = 1;
        for (var d = 0; d < a; d++) outer *= shape[d];
        for (var d = a + 1; d < shape.Length; d++) inner *= shape[d];
        return (outer, shape[a], inner);
    }

    /// <summary>The shape left after reducing <paramref name="axis"/> (all axes when null).</summary>
    public static int[] ReducedShape(int[] shape, int? axis, bool keepDims)
    {
        if (axis is not { } a) return keepDims ? Enumerable.Repeat(1, shape.Length).ToArray() : Array.Empty<int>();
        if (keepDims)
        {
            var kept = (int[])shape.Clone();
            kept[a] = 1;
            return kept;
        }
        var removed = new int[shape.Length - 1];
        for (int d = 0, j = 0; d < shape.Length; d++)
            if (d != a) removed[j++] = shape[d];
        return removed;
    }
}
