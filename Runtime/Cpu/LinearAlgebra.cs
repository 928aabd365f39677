using System.Numerics;

namespace Differentiable.Cpu;

/// <summary>Matrix kernels on contiguous row-major data.</summary>
internal static class LinearAlgebra
{
    /// <summary>
    /// dst (m×n) = a (m×k) · b (k×n). The i-k-j order streams rows of b and dst contiguously, which is what the
    /// cache (and a later SIMD version) wants; dst is overwritten.
    /// </summary>
    public static void MatMul<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> dst, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Gemm.IsSupported<T>())
        {
            Gemm.MatMul(a, b, dst, m, k, n);
            return;
        }
        dst.Clear();
        for (var i = 0; i < m; i++)
        {
            var row = dst.Slice(i * n, n);
            var aRow = a.Slice(i * k, k);
            for (var p = 0; p < k; p++)
            {
                var aip = aRow[p];
                var bRow = b.Slice(p * n, n);
                for (var j = 0; j < row.Length; j++) row[j] += aip * bRow[j];
            }
        }
    }

    /// <summary>dst (cols×rows) = srcᵀ for src (rows×cols), in square tiles so both sides stay cache-friendly.</summary>
    public static unsafe void Transpose<T>(ReadOnlySpan<T> src, Span<T> dst, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows == 0 || cols == 0) return;
        if (rows == 1 || cols == 1)
        {
            src.Slice(0, rows * cols).CopyTo(dst);
            return;
        }
        const int Tile = 16;
        fixed (T* ps = src, pd = dst)
        {
            for (var i0 = 0; i0 < rows; i0 += Tile)
            {
                var iEnd = Math.Min(i0 + Tile, rows);
                for (var j0 = 0; j0 < cols; j0 += Tile)
                {
                    var jEnd = Math.Min(j0 + Tile, cols);
                    for (var j = j0; j < jEnd; j++)
                    {
                        var d = pd + (nint)j * rows;
                        var s = ps + j;
                        var i = i0;
                        for (; i + 4 <= iEnd; i += 4)
                        {
                            d[i] = s[(nint)i * cols];
                            d[i + 1] = s[(nint)(i + 1) * cols];
                            d[i + 2] = s[(nint)(i + 2) * cols];
                            d[i + 3] = s[(nint)(i + 3) * cols];
                        }
                        for (; i < iEnd; i++) d[i] = s[(nint)i * cols];
                    }
                }
            }
        }
    }
}
