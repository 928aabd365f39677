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
    public static void Transpose<T>(ReadOnlySpan<T> src, Span<T> dst, int rows, int cols)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Tile = 32;
        for (var i0 = 0; i0 < rows; i0 += Tile)
        {
            var iEnd = Math.Min(i0 + Tile, rows);
            for (var j0 = 0; j0 < cols; j0 += Tile)
            {
                var jEnd = Math.Min(j0 + Tile, cols);
                for (var i = i0; i < iEnd; i++)
                    for (var j = j0; j < jEnd; j++)
                        dst[j * rows + i] = src[i * cols + j];
            }
        }
    }
}
