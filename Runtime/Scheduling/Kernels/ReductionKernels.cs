using System.Runtime.InteropServices;

namespace Differentiable.Scheduling;

/// <summary>What the reductions read: which of the 4 dimensions are reduced, how many elements each output reduces, and the threads per output.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ReductionArguments
{
    /// <summary>Bit d set: dimension d (of 4, right-aligned) is reduced.</summary>
    public int ReducedMask;
    public int ReducedCount;
    /// <summary>Threads per output element (a power of two dividing the block).</summary>
    public int Group;
}

/// <summary>
/// Sums, means and log-sum-exps along axes (and the adjoint of broadcasting, a sum back to an operand's shape), run
/// by <see cref="ProgramBuilder.Sum"/>, <see cref="ProgramBuilder.Mean"/>, <see cref="ProgramBuilder.LogSumExp"/>
/// and <see cref="ProgramBuilder.SumTo"/>. The geometry's dims are the input's shape; each output element gets a
/// group of threads combining in shared memory, so a long reduction (a convolution's bias gradient sums 36,864
/// numbers per channel) runs in parallel.
/// </summary>
public static class ReductionKernels
{
    public const string ArgumentsCuda = @"struct ReductionArguments
{
    int reduced_mask;
    int reduced_count;
    int group;
};
";

    /// <summary>Group sums and maxima (also used by the convolution weight gradient) and the reduction kernels.</summary>
    public const string Kernels = ArgumentsCuda + @"
// The offset of output element i's first input element...
__device__ __forceinline__ int reduced_base(const Geometry& g, int i)
{
    const int mask = arguments_of<ReductionArguments>(g).reduced_mask;
    int offset = 0;
    for (int d = 3; d >= 0; --d)
    {
        if (mask & (1 << d)) continue;
        offset += (i % g.dims[d]) * g.strides[1][d];
        i /= g.dims[d];
    }
    return offset;
}

// ...and of its r-th reduced element, relative to that.
__device__ __forceinline__ int reduced_offset(const Geometry& g, int r)
{
    const int mask = arguments_of<ReductionArguments>(g).reduced_mask;
    int offset = 0;
    for (int d = 3; d >= 0; --d)
    {
        if (!(mask & (1 << d))) continue;
        offset += (r % g.dims[d]) * g.strides[1][d];
        r /= g.dims[d];
    }
    return offset;
}

// These combine one value per thread across its group of consecutive threads in shared memory and return the
// group's result to every thread of the group. They contain barriers: every thread of the block must call them, so
// kernels that use them mark idle threads instead of returning early.
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

// Σ over the reduced elements; scalars[0] = 1/n turns it into a mean (sum_then_scale). A thread past the last
// output still takes part in the group's barriers and writes nothing.
__device__ __forceinline__ void reduce_sum(const Geometry& g, float* __restrict__ out, const float* __restrict__ x, float scale)
{
    const ReductionArguments& args = arguments_of<ReductionArguments>(g);
    const int t = blockIdx.x * blockDim.x + threadIdx.x, i = t / args.group, lane = t % args.group;
    const bool active = i < g.count;
    float sum = 0.0f;
    if (active)
    {
        const float* first = x + reduced_base(g, i);
        for (int r = lane; r < args.reduced_count; r += args.group) sum += first[reduced_offset(g, r)];
    }
    sum = group_sum(sum, args.group);
    if (active && lane == 0) out[i] = sum * scale;
}

extern ""C"" __global__ void sum(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
{
    reduce_sum(g, out, x, 1.0f);
}

extern ""C"" __global__ void mean(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
{
    reduce_sum(g, out, x, g.scalars[0]);
}

// log Σ exp over the reduced elements, shifted by their maximum so nothing overflows.
extern ""C"" __global__ void logsumexp(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
{
    const ReductionArguments& args = arguments_of<ReductionArguments>(g);
    const int t = blockIdx.x * blockDim.x + threadIdx.x, i = t / args.group, lane = t % args.group;
    const bool active = i < g.count;
    const float* first = x + (active ? reduced_base(g, i) : 0);
    float top = -INFINITY;
    if (active)
        for (int r = lane; r < args.reduced_count; r += args.group) top = fmaxf(top, first[reduced_offset(g, r)]);
    top = group_max(top, args.group);
    float sum = 0.0f;
    if (active && top != -INFINITY)
        for (int r = lane; r < args.reduced_count; r += args.group) sum += expf(first[reduced_offset(g, r)] - top);
    sum = group_sum(sum, args.group);
    if (active && lane == 0) out[i] = top == -INFINITY ? -INFINITY : top + logf(sum);
}
";
}
