using System.Buffers;
using System.Runtime.CompilerServices;
using Differentiable.Cpu;

namespace Differentiable;

public static partial class GradientOps
{
    /// <summary>
    /// aᵀ · b for 2-D a (k, m) and b (k, n): MatMul's adjoint for its right operand. The transpose goes through a
    /// pooled scratch buffer where no SIMD GEMM serves (the GEMM reads it in place), so unlike <c>MatMul(Transpose(a), b)</c> the only new tensor is the result.
    /// </summary>
    public static Tensor MatMulTransposeA(Tensor a, Tensor b,
        [CallerArgumentExpression(nameof(a))] string? aName = null, [CallerArgumentExpression(nameof(b))] string? bName = null)
    {
        string an = Dispatch.Name(aName, "a"), bn = Dispatch.Name(bName, "b");
        CheckMatrices("MatMulTransposeA", a, b, an, bn);
        if (a.Shape[0] != b.Shape[0])
            throw new ShapeMismatchException($"MatMulTransposeA({an}, {bn}): cannot multiply {an}ᵀ of shape ({a.Shape[1]}, {a.Shape[0]}) by {bn} of shape {b.ShapeString()}: inner dimensions {a.Shape[0]} and {b.Shape[0]} differ.");
        return a.DType == DType.Float32 ? Multiply<float>(a, b, transposeA: true) : Multiply<double>(a, b, transposeA: true);
    }

    /// <summary>a · bᵀ for 2-D a (m, k) and b (n, k): MatMul's adjoint for its left operand: bᵀ read in place by the GEMM.</summary>
    public static Tensor MatMulTransposeB(Tensor a, Tensor b,
        [CallerArgumentExpression(nameof(a))] string? aName = null, [CallerArgumentExpression(nameof(b))] string? bName = null)
    {
        string an = Dispatch.Name(aName, "a"), bn = Dispatch.Name(bName, "b");
        CheckMatrices("MatMulTransposeB", a, b, an, bn);
        if (a.Shape[1] != b.Shape[1])
            throw new ShapeMismatchException($"MatMulTransposeB({an}, {bn}): cannot multiply {an} of shape {a.ShapeString()} by {bn}ᵀ of shape ({b.Shape[1]}, {b.Shape[0]}): inner dimensions {a.Shape[1]} and {b.Shape[1]} differ.");
        return a.DType == DType.Float32 ? Multiply<float>(a, b, transposeA: false) : Multiply<double>(a, b, transposeA: false);
    }

    private static void CheckMatrices(string op, Tensor a, Tensor b, string an, string bn)
    {
        if (a.Rank != 2 || b.Rank != 2)
            throw new ShapeMismatchException($"{op}({an}, {bn}): both operands must be 2-D, got {an} {a.ShapeString()} and {bn} {b.ShapeString()}.");
        Dispatch.SameDType(op, a, b, an, bn);
    }

    private static Tensor Multiply<T>(Tensor a, Tensor b, bool transposeA) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (Gemm.IsSupported<T>())
        {
            // The GEMM packs its panels and reads the transposed operand in place while packing: no scratch transpose.
            int m = transposeA ? a.Shape[1] : a.Shape[0], k = transposeA ? a.Shape[0] : a.Shape[1], n = transposeA ? b.Shape[1] : b.Shape[0];
            var product = Tensor.Uninitialized(new[] { m, n }, a.DType);
            Gemm.MatMul<T>(a.ReadOnlySpan<T>(), b.ReadOnlySpan<T>(), product.Span<T>(), m, k, n, transposeA, transposeB: !transposeA);
            return product;
        }
        var transposed = transposeA ? a : b;
        int rows = transposed.Shape[0], cols = transposed.Shape[1];
        var scratch = ArrayPool<T>.Shared.Rent(rows * cols);
        try
        {
            var t = scratch.AsSpan(0, rows * cols);
            LinearAlgebra.Transpose<T>(transposed.ReadOnlySpan<T>(), t, rows, cols);
            if (transposeA)
            {
                // aᵀ is (m, k) = (cols, rows); b is (k, n).
                var result = Tensor.Uninitialized(new[] { cols, b.Shape[1] }, a.DType);
                LinearAlgebra.MatMul<T>(t, b.ReadOnlySpan<T>(), result.Span<T>(), cols, rows, b.Shape[1]);
                return result;
            }
            else
            {
                // a is (m, k); bᵀ is (k, n) = (cols, rows).
                var result = Tensor.Uninitialized(new[] { a.Shape[0], rows }, a.DType);
                LinearAlgebra.MatMul<T>(a.ReadOnlySpan<T>(), t, result.Span<T>(), a.Shape[0], cols, rows);
                return result;
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratch);
        }
    }
}
