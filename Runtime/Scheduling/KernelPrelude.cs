namespace Differentiable.Scheduling;

/// <summary>
/// The CUDA C every device source starts with: the <c>Geometry</c> struct (the layout of <see cref="KernelGeometry"/>),
/// the index, group-reduction and tiled-product helpers the generated kernels call, and the kernels the builder itself launches
/// (<c>copy</c> for <see cref="ProgramBuilder.Contiguous"/>, <c>sum_partials</c> after a matrix product split along K). Generated sources are <c>KernelPrelude.Source + "...their kernels..."</c>, so the contract lives once,
/// next to the C# struct it mirrors.
/// </summary>
public static class KernelPrelude
{
    /// <summary>The struct every kernel takes by value, and the IEEE constants NVRTC (which has no math.h) lacks.</summary>
    public const string Geometry = @"// Every kernel takes the geometry by value, then its output, then its inputs.
// NVRTC has no <math.h>: the two IEEE constants the kernels use, by bit pattern.
#ifndef INFINITY
#define INFINITY __int_as_float(0x7f800000)
#endif
#ifndef NAN
#define NAN __int_as_float(0x7fffffff)
#endif

struct Geometry
{
    int count;           // output elements (or, where a kernel says so, work items)
    int dims[4];         // the output's shape, right-aligned to 4 dimensions
    int strides[8][4];   // per pointer argument (output first), element strides over dims; 0 where broadcast
    int ints[16];        // the op's integer attributes
    float scalars[8];    // numbers known only at run time
};
";

    /// <summary><see cref="Geometry"/>, the index helpers of elementwise and reduction kernels, <c>copy</c> and <c>sum_partials</c>.</summary>
    public const string Source = Geometry + @"
// The element of pointer argument p read by output element i: broadcasting and views through the strides.
__device__ __forceinline__ int at(const Geometry& g, int p, int i)
{
    const int c3 = i % g.dims[3]; i /= g.dims[3];
    const int c2 = i % g.dims[2]; i /= g.dims[2];
    const int c1 = i % g.dims[1]; const int c0 = i / g.dims[1];
    return c0 * g.strides[p][0] + c1 * g.strides[p][1] + c2 * g.strides[p][2] + c3 * g.strides[p][3];
}

// Reductions: g.dims is the input's shape, g.ints[0] the mask of reduced dimensions, g.ints[1] how many elements
// each output element reduces. The offset of output element i's first input element:
__device__ __forceinline__ int reduced_base(const Geometry& g, int i)
{
    int offset = 0;
    for (int d = 3; d >= 0; --d)
    {
        if (g.ints[0] & (1 << d)) continue;
        offset += (i % g.dims[d]) * g.strides[1][d];
        i /= g.dims[d];
    }
    return offset;
}

// ...and of its r-th reduced element, relative to that.
__device__ __forceinline__ int reduced_offset(const Geometry& g, int r)
{
    int offset = 0;
    for (int d = 3; d >= 0; --d)
    {
        if (!(g.ints[0] & (1 << d))) continue;
        offset += (r % g.dims[d]) * g.strides[1][d];
        r /= g.dims[d];
    }
    return offset;
}

// Reductions split an output element's work over a group of g.ints[2] consecutive threads (a power of two that
// divides blockDim.x, at most 256) so that long reductions (a convolution's bias gradient sums 36,864 numbers per
// channel) run in parallel. These combine one value per thread across its group in shared memory and return the
// group's result to every thread of the group. They contain barriers: every thread of the block must call them,
// so kernels that use them mark idle threads instead of returning early.
__device__ float group_sum(float v, int group)
{
    __shared__ float shares[256];
    const int t = threadIdx.x, base = t - t % group;
    __syncthreads();   // the previous call's readers are done with shares
    shares[t] = v;
    __syncthreads();
    for (int s = group / 2; s > 0; s /= 2)
    {
        if (t - base < s) shares[t] += shares[t + s];
        __syncthreads();
    }
    return shares[base];
}

__device__ float group_max(float v, int group)
{
    __shared__ float shares[256];
    const int t = threadIdx.x, base = t - t % group;
    __syncthreads();
    shares[t] = v;
    __syncthreads();
    for (int s = group / 2; s > 0; s /= 2)
    {
        if (t - base < s) shares[t] = fmaxf(shares[t], shares[t + s]);
        __syncthreads();
    }
    return shares[base];
}

// The matrix product kernels (g.ints: M, N, K, a's row and column strides, b's row and column strides, splits, K per
// split): one block of 256 threads per 32×32 tile of the product, per split of K. Each thread accumulates 2×2
// elements: rows row and row + 16, columns column and column + 16, in c[0..3] (row-major); K goes in steps of 16
// through shared memory. Every thread of the block must call it (it has barriers).
struct TileProduct { int split, row, column; float c[4]; };

__device__ TileProduct tile_product(const Geometry& g, const float* __restrict__ a, const float* __restrict__ b)
{
    __shared__ float a_tile[16][33];   // [k][row]; 33 keeps the rows of the tile in different banks
    __shared__ float b_tile[16][33];   // [k][column]
    const int M = g.ints[0], N = g.ints[1], K = g.ints[2];
    const int tiles_n = (N + 31) / 32, tiles = ((M + 31) / 32) * tiles_n;
    const int tile = blockIdx.x % tiles, split = blockIdx.x / tiles;
    const int row0 = (tile / tiles_n) * 32, column0 = (tile % tiles_n) * 32;
    const int k_begin = split * g.ints[8], k_end = min(K, k_begin + g.ints[8]);
    const int t = threadIdx.x, tr = t / 16, tc = t % 16;
    // Neighbouring threads load neighbouring addresses along whichever dimension of a (of b) has stride 1, so
    // transposed views (xᵀ in a weight gradient) load as fast as dense operands.
    const bool a_along_rows = g.ints[3] == 1, b_along_columns = g.ints[6] == 1;
    TileProduct result = { split, row0 + tr, column0 + tc, { 0.0f, 0.0f, 0.0f, 0.0f } };
    for (int k0 = k_begin; k0 < k_end; k0 += 16)
    {
        for (int e = t; e < 512; e += 256)
        {
            const int ak = a_along_rows ? e / 32 : e % 16, ar = a_along_rows ? e % 32 : e / 16;
            const int bk = b_along_columns ? e / 32 : e % 16, bc = b_along_columns ? e % 32 : e / 16;
            const int ka = k0 + ak, kb = k0 + bk, r = row0 + ar, c = column0 + bc;
            a_tile[ak][ar] = ka < k_end && r < M ? a[(long)r * g.ints[3] + (long)ka * g.ints[4]] : 0.0f;
            b_tile[bk][bc] = kb < k_end && c < N ? b[(long)kb * g.ints[5] + (long)c * g.ints[6]] : 0.0f;
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

// A matrix product split along K writes one partial product per split; this adds them up in a fixed order, so
// results do not depend on scheduling. g.ints[0]: the number of splits; g.count: the elements of one product.
extern ""C"" __global__ void sum_partials(const Geometry g, float* __restrict__ out, const float* __restrict__ partials)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    float sum = 0.0f;
    for (int s = 0; s < g.ints[0]; ++s) sum += partials[(long)s * g.count + i];
    out[i] = sum;
}

// A contiguous copy of a strided view (before a reshape).
extern ""C"" __global__ void copy(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    out[i] = x[at(g, 1, i)];
}
";
}
