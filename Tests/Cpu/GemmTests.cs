using Differentiable;

namespace Differentiable.Tests.Cpu;

/// <summary>The SIMD GEMM behind Ops.MatMul against a naive double-precision reference, over shapes that are not multiples of the tiles.</summary>
public class GemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 5, 1 }, { 7, 13, 5 }, { 6, 1, 32 }, { 5, 3, 31 }, { 6, 16, 16 }, { 13, 17, 33 },
        { 12, 300, 64 }, { 97, 257, 65 }, { 100, 784, 128 }, { 784, 100, 128 }, { 100, 128, 10 }, { 100, 10, 128 },
        { 1, 784, 128 }, { 128, 100, 10 }, { 200, 513, 17 }, { 3, 600, 1 }, { 50, 40, 300 }, { 1001, 130, 37 },
    };

    private static double[] Reference(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        for (var i = 0; i < m; i++)
            for (var j = 0; j < n; j++)
            {
                var s = 0.0;
                for (var p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                c[i * n + j] = s;
            }
        return c;
    }

    private static double[] Transposed(double[] x, int rows, int cols)
    {
        var t = new double[x.Length];
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
    }

    private static void Check(Tensor result, double[] expected, double[] absA, double[] absB, int m, int k, int n, DType dtype)
    {
        Assert.Equal(new[] { m, n }, result.Shape.ToArray());
        var actual = result.ToDoubleArray();
        // Error bound for any summation order: a few ulps times Σ|a||b|.
        var bound = Reference(absA, absB, m, k, n);
        var eps = dtype == DType.Float32 ? 1.2e-7 : 2.3e-16;
        for (var i = 0; i < expected.Length; i++)
        {
            var tol = (k + 2) * eps * bound[i] + 1e-30;
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tol,
                $"{m}x{k}·{k}x{n} {dtype}: element {i} is {actual[i]}, expected {expected[i]} (tolerance {tol}).");
        }
    }

    private static (Tensor T, double[] Values) Random(int rows, int cols, Rng rng, DType dtype)
    {
        var t = Tensor.Uniform(new[] { rows, cols }, -1, 1, rng, dtype);
        return (t, t.ToDoubleArray());
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesNaiveReference(int m, int k, int n)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var rng = new Rng((ulong)(m * 1000003 + k * 1009 + n));
            var (a, av) = Random(m, k, rng, dtype);
            var (b, bv) = Random(k, n, rng, dtype);
            Check(Ops.MatMul(a, b), Reference(av, bv, m, k, n), av.Select(Math.Abs).ToArray(), bv.Select(Math.Abs).ToArray(), m, k, n, dtype);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TransposedOperandsMatchNaiveReference(int m, int k, int n)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var rng = new Rng((ulong)(m * 7919 + k * 31 + n + 17));
            // A given as its transpose (k×m), as the generated backward's MatMul(Transpose(x), d) does.
            var (at, atv) = Random(k, m, rng, dtype);
            var (b, bv) = Random(k, n, rng, dtype);
            var av = Transposed(atv, k, m);
            Check(Ops.MatMul(Ops.Transpose(at), b), Reference(av, bv, m, k, n), av.Select(Math.Abs).ToArray(), bv.Select(Math.Abs).ToArray(), m, k, n, dtype);
            // B given as its transpose (n×k), as in MatMul(d, Transpose(W)).
            var (bt, btv) = Random(n, k, rng, dtype);
            var bv2 = Transposed(btv, n, k);
            var (a, av2) = Random(m, k, rng, dtype);
            Check(Ops.MatMul(a, Ops.Transpose(bt)), Reference(av2, bv2, m, k, n), av2.Select(Math.Abs).ToArray(), bv2.Select(Math.Abs).ToArray(), m, k, n, dtype);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void AdjointProductsReadTheTransposedOperandInPlace(int m, int k, int n)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var rng = new Rng((ulong)(m * 131 + k * 7 + n + 5));
            // MatMulTransposeA(x, dy) = xᵀ · dy for x stored k×m: the weight gradient.
            var (x, xv) = Random(k, m, rng, dtype);
            var (dy, dyv) = Random(k, n, rng, dtype);
            var xt = Transposed(xv, k, m);
            Check(GradientOps.MatMulTransposeA(x, dy), Reference(xt, dyv, m, k, n), xt.Select(Math.Abs).ToArray(), dyv.Select(Math.Abs).ToArray(), m, k, n, dtype);
            // MatMulTransposeB(d, w) = d · wᵀ for w stored n×k: the input gradient.
            var (d, dv) = Random(m, k, rng, dtype);
            var (w, wv) = Random(n, k, rng, dtype);
            var wt = Transposed(wv, n, k);
            Check(GradientOps.MatMulTransposeB(d, w), Reference(dv, wt, m, k, n), dv.Select(Math.Abs).ToArray(), wt.Select(Math.Abs).ToArray(), m, k, n, dtype);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(1, 7)]
    [InlineData(17, 33)]
    [InlineData(100, 784)]
    public void TransposeIsExact(int rows, int cols)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var (x, xv) = Random(rows, cols, new Rng(5), dtype);
            var t = Ops.Transpose(x);
            Assert.Equal(new[] { cols, rows }, t.Shape.ToArray());
            Assert.Equal(Transposed(xv, rows, cols), t.ToDoubleArray());
        }
    }

    [Fact]
    public void LargeProductIsDeterministic()
    {
        var rng = new Rng(3);
        var a = Tensor.Uniform(new[] { 300, 500 }, -1, 1, rng);
        var b = Tensor.Uniform(new[] { 500, 260 }, -1, 1, rng);
        Assert.Equal(Ops.MatMul(a, b).ToFloatArray(), Ops.MatMul(a, b).ToFloatArray());
    }

    [Fact]
    public void ZeroInnerDimensionGivesZeros()
    {
        var c = Ops.MatMul(Tensor.Zeros(3, 0), Tensor.Zeros(0, 4));
        Assert.Equal(new double[12], c.ToDoubleArray());
    }

    [Fact]
    public void NonFiniteValuesPropagate()
    {
        var a = Tensor.FromArray(new float[] { float.PositiveInfinity, 1, 0, float.NaN }, 2, 2);
        var b = Tensor.FromArray(new float[] { 1, 0, 1, 1 }, 2, 2);
        var c = Ops.MatMul(a, b).ToFloatArray();
        Assert.Equal(float.PositiveInfinity, c[0]);
        Assert.True(float.IsNaN(c[1]));
        Assert.True(float.IsNaN(c[2]) && float.IsNaN(c[3]));
    }
}
