using System.Runtime.InteropServices;

namespace Differentiable.Scheduling;

/// <summary>What the matrix product kernels read: a (M, K) · b (K, N) through the operands' strides, K maybe split.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ProductArguments
{
    public int M, N, K;
    public int ARowStride, AColumnStride, BRowStride, BColumnStride;
    /// <summary>Blocks sharing each tile's K, and the values of K each takes.</summary>
    public int Splits, KPerSplit;
    /// <summary>0: the tiles multiply; 1: one thread per output element adds the splits' partial products.</summary>
    public int Stage;
    /// <summary>1 when the tile stage applies the epilogue as it stores (no split, and the output is shaped like the product).</summary>
    public int Finish;
    /// <summary>The elements of one product (M·N): the distance between two splits' partial products.</summary>
    public int ProductCount;
}

/// <summary>
/// The tiled matrix product. Its device functions are part of the prelude every generated source starts with, because
/// a generated kernel that fuses an elementwise epilogue into a product (bias and activation, a gradient mask) is a
/// one-line wrapper: <c>product_then(g, out, a, b, [&amp;](float value, int i) { return ...; })</c>. The plain product
/// is the runtime kernel <c>product</c>; <see cref="ProgramBuilder.MatMul"/> and <see cref="ProgramBuilder.MatMulThen"/> launch them.
/// </summary>
public static class ProductKernels
{
    public const string ArgumentsCuda = @"struct ProductArguments
{
    int m, n, k;
    int a_row_stride, a_column_stride, b_row_stride, b_column_stride;
    int splits, k_per_split;
    int stage;
    int finish;
    int product_count;
};
";

    /// <summary>The argument struct, <c>tile_product</c> and <c>product_then</c>: in the prelude.</summary>
    public const string Device = ArgumentsCuda + @"
// One block of 256 threads per 32×32 tile of the product, per split of K. Each thread accumulates 2×2 elements:
// rows row and row + 16, columns column and column + 16, in c[0..3] (row-major); K goes in steps of 16 through
// shared memory. Every thread of the block must call it (it has barriers).
struct TileProduct { int split, row, column; float c[4]; };

__device__ TileProduct tile_product(const Geometry& g, const float* __restrict__ a, const float* __restrict__ b)
{
    __shared__ float a_tile[16][33];   // [k][row]; 33 keeps the rows of the tile in different banks
    __shared__ float b_tile[16][33];   // [k][column]
    const ProductArguments& args = arguments_of<ProductArguments>(g);
    const int M = args.m, N = args.n, K = args.k;
    const int tiles_n = (N + 31) / 32, tiles = ((M + 31) / 32) * tiles_n;
    const int tile = blockIdx.x % tiles, split = blockIdx.x / tiles;
    const int row0 = (tile / tiles_n) * 32, column0 = (tile % tiles_n) * 32;
    const int k_begin = split * args.k_per_split, k_end = min(K, k_begin + args.k_per_split);
    const int t = threadIdx.x, tr = t / 16, tc = t % 16;
    // Neighbouring threads load neighbouring addresses along whichever dimension of a (of b) has stride 1, so
    // transposed views (xᵀ in a weight gradient) load as fast as dense operands.
    const bool a_along_rows = args.a_row_stride == 1, b_along_columns = args.b_column_stride == 1;
    TileProduct result = { split, row0 + tr, column0 + tc, { 0.0f, 0.0f, 0.0f, 0.0f } };
    for (int k0 = k_begin; k0 < k_end; k0 += 16)
    {
        for (int e = t; e < 512; e += 256)
        {
            const int ak = a_along_rows ? e / 32 : e % 16, ar = a_along_rows ? e % 32 : e / 16;
            const int bk = b_along_columns ? e / 32 : e % 16, bc = b_along_columns ? e % 32 : e / 16;
            const int ka = k0 + ak, kb = k0 + bk, r = row0 + ar, c = column0 + bc;
            a_tile[ak][ar] = ka < k_end && r < M ? a[(long)r * args.a_row_stride + (long)ka * args.a_column_stride] : 0.0f;
            b_tile[bk][bc] = kb < k_end && c < N ? b[(long)kb * args.b_row_stride + (long)c * args.b_column_stride] : 0.0f;
        }
        __syncthreads();
        for (int k = 0; k < 16; ++k)
        {
            const float a0 = a_tile[k][tr], a1 = a_tile[k][tr + 16], b0 = b_tile[k][tc], b1 = b_tile[k][tc + 16];
            result.c[0] += a0 * b0; result.c[1] += a0 * b1; result.c[2] += a1 * b0; result.c[3] += a1 * b1;
        }
        __syncthreads();
    }
    return result;
}

// The body of every product kernel: out = epilogue(a · b, i) elementwise, where epilogue(value, i) gets the product's
// element and the output index i (it reads any other inputs, pointers 3 on, with at(g, 3 + k, i)).
// Stage 0 multiplies; with K split over blocks (or an output larger than the product) each split stores its partial
// product at out + split·M·N, and stage 1, one thread per output element, adds them in a fixed order (deterministic,
// no atomics), reading them through pointer 1's strides, and applies the epilogue.
template <typename Epilogue>
__device__ __forceinline__ void product_then(const Geometry& g, float* __restrict__ out, const float* __restrict__ a, const float* __restrict__ b, Epilogue epilogue)
{
    const ProductArguments& args = arguments_of<ProductArguments>(g);
    if (args.stage == 1)
    {
        const int i = blockIdx.x * blockDim.x + threadIdx.x;
        if (i >= g.count) return;
        const int at_product = at(g, 1, i);
        float sum = 0.0f;
        for (int s = 0; s < args.splits; ++s) sum += a[(long)s * args.product_count + at_product];
        out[i] = epilogue(sum, i);
        return;
    }
    const TileProduct tile = tile_product(g, a, b);
    float* product = out + (long)tile.split * args.m * args.n;
    #pragma unroll
    for (int e = 0; e < 4; ++e)
    {
        const int r = tile.row + (e / 2) * 16, n = tile.column + (e % 2) * 16;
        if (r < args.m && n < args.n) product[(long)r * args.n + n] = args.finish ? epilogue(tile.c[e], r * args.n + n) : tile.c[e];
    }
}
";

    /// <summary>The plain product, a runtime kernel.</summary>
    public const string Kernels = @"
// out (M, N) = a (M, K) · b (K, N).
extern ""C"" __global__ void product(const Geometry g, float* __restrict__ out, const float* __restrict__ a, const float* __restrict__ b)
{
    product_then(g, out, a, b, [](float value, int) { return value; });
}
";
}
