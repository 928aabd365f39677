using System.Runtime.CompilerServices;
using Differentiable.Cpu;

namespace Differentiable;

public static partial class Ops
{
    /// <summary>
    /// Matrix product of 2-D tensors; like torch.matmul a 1-D left operand is a row vector and a 1-D right operand a
    /// column vector, and that dimension is dropped from the result (1-D · 1-D is the dot product, rank 0).
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, [CallerArgumentExpression(nameof(a))] string? aName = null, [CallerArgumentExpression(nameof(b))] string? bName = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var an = Dispatch.Name(aName, "a");
        var bn = Dispatch.Name(bName, "b");
        foreach (var (t, n) in new[] { (a, an), (b, bn) })
            if (t.Rank is < 1 or > 2)
                throw new ShapeMismatchException($"MatMul({an}, {bn}): {n} has shape {t.ShapeString()}; MatMul multiplies 1-D and 2-D tensors.");
        Dispatch.SameDType("MatMul", a, b, an, bn);
        var (m, k) = a.Rank == 2 ? (a.ShapeArray[0], a.ShapeArray[1]) : (1, a.ShapeArray[0]);
        var (k2, n2) = b.Rank == 2 ? (b.ShapeArray[0], b.ShapeArray[1]) : (b.ShapeArray[0], 1);
        if (k != k2)
            throw new ShapeMismatchException(
                $"MatMul({an}, {bn}): cannot multiply {an} of shape {a.ShapeString()} by {bn} of shape {b.ShapeString()}: inner dimensions {k} and {k2} differ.");
        var shape = new List<int>(2);
        if (a.Rank == 2) shape.Add(m);
        if (b.Rank == 2) shape.Add(n2);
        var result = Tensor.Uninitialized(shape.ToArray(), a.DType);
        if (a.DType == DType.Float32) LinearAlgebra.MatMul<float>(a.ReadOnlySpan<float>(), b.ReadOnlySpan<float>(), result.Span<float>(), m, k, n2);
        else LinearAlgebra.MatMul<double>(a.ReadOnlySpan<double>(), b.ReadOnlySpan<double>(), result.Span<double>(), m, k, n2);
        return result;
    }

    /// <summary>Swaps the two dimensions of a 2-D tensor; like torch.t, 0-D and 1-D tensors come back unchanged (copied).</summary>
    public static Tensor Transpose(Tensor x, [CallerArgumentExpression(nameof(x))] string? xName = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2) return x.Clone();
        if (x.Rank > 2)
            throw new ShapeMismatchException($"Transpose({Dispatch.Name(xName, "x")}): expected a 2-D tensor, got shape {x.ShapeString()}.");
        var (rows, cols) = (x.ShapeArray[0], x.ShapeArray[1]);
        var result = Tensor.Uninitialized(new[] { cols, rows }, x.DType);
        if (x.DType == DType.Float32) LinearAlgebra.Transpose<float>(x.ReadOnlySpan<float>(), result.Span<float>(), rows, cols);
        else LinearAlgebra.Transpose<double>(x.ReadOnlySpan<double>(), result.Span<double>(), rows, cols);
        return result;
    }
}
