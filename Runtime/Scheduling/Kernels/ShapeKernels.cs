using System.Runtime.InteropServices;

namespace Differentiable.Scheduling;

/// <summary>What <c>concat</c> reads: the joined dimension (of 4, right-aligned) and a's extent along it.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ConcatArguments
{
    public int Axis, LeadingExtent;
}

/// <summary>Kernels that only move elements (a constant fill, a contiguous copy of a strided view, concatenation) and the sum of two gradient terms.</summary>
public static class ShapeKernels
{
    public const string ConcatArgumentsCuda = @"struct ConcatArguments
{
    int axis, leading_extent;
};
";

    public const string Kernels = ConcatArgumentsCuda + @"
// out[i] = scalars[0]: a constant the generated source needs no kernel for (the seed of a backward pass).
extern ""C"" __global__ void fill(const Geometry g, float* __restrict__ out)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < g.count) out[i] = g.scalars[0];
}

// a + b, same shape: one more term of a gradient (a device program of a body with control flow adds each
// statement's contribution to a variable's adjoint as the tape replays it).
extern ""C"" __global__ void accumulate(const Geometry g, float* __restrict__ out, const float* __restrict__ a, const float* __restrict__ b)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < g.count) out[i] = a[at(g, 1, i)] + b[at(g, 2, i)];
}

// A contiguous copy of a strided view (before a reshape).
extern ""C"" __global__ void copy(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    out[i] = x[at(g, 1, i)];
}

// a and b joined along one dimension; each read through its own strides (pointers 1 and 2).
extern ""C"" __global__ void concat(const Geometry g, float* __restrict__ out, const float* __restrict__ a, const float* __restrict__ b)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    const ConcatArguments& args = arguments_of<ConcatArguments>(g);
    int c[4], rest = i;
    for (int d = 3; d >= 0; --d) { c[d] = rest % g.dims[d]; rest /= g.dims[d]; }
    const int from_b = c[args.axis] >= args.leading_extent;
    if (from_b) c[args.axis] -= args.leading_extent;
    const int p = from_b ? 2 : 1;
    const int offset = c[0] * g.strides[p][0] + c[1] * g.strides[p][1] + c[2] * g.strides[p][2] + c[3] * g.strides[p][3];
    out[i] = from_b ? b[offset] : a[offset];
}
";
}
