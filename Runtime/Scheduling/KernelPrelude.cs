namespace Differentiable.Scheduling;

/// <summary>
/// The CUDA C every device source starts with: the <c>Geometry</c> struct (the layout of <see cref="KernelGeometry"/>),
/// the index helpers the generated kernels call, and the <c>copy</c> kernel <see cref="ProgramBuilder.Contiguous"/>
/// launches. Generated sources are <c>KernelPrelude.Source + "...their kernels..."</c>, so the contract lives once,
/// next to the C# struct it mirrors.
/// </summary>
public static class KernelPrelude
{
    /// <summary>The struct every kernel takes by value, and the IEEE constants NVRTC (which has no math.h) lacks.</summary>
    public const string Geometry = @"// Every kernel takes the geometry by value, then its output, then its inputs; one thread per output element.
// NVRTC has no <math.h>: the two IEEE constants the kernels use, by bit pattern.
#ifndef INFINITY
#define INFINITY __int_as_float(0x7f800000)
#endif
#ifndef NAN
#define NAN __int_as_float(0x7fffffff)
#endif

struct Geometry
{
    int count;           // threads that do work
    int dims[4];         // the output's shape, right-aligned to 4 dimensions
    int strides[8][4];   // per pointer argument (output first), element strides over dims; 0 where broadcast
    int ints[16];        // the op's integer attributes
    float scalars[8];    // numbers known only at run time
};
";

    /// <summary><see cref="Geometry"/>, the index helpers of elementwise and reduction kernels, and <c>copy</c>.</summary>
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

// A contiguous copy of a strided view (before a reshape).
extern ""C"" __global__ void copy(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    out[i] = x[at(g, 1, i)];
}
";
}
