namespace Differentiable.Scheduling;

/// <summary>
/// The CUDA C every device source starts with: the <c>Geometry</c> struct (the layout of <see cref="KernelGeometry"/>),
/// <c>arguments_of</c> (a kernel family's typed arguments, <see cref="KernelArguments"/>), the elementwise index helper
/// <c>at</c>, and the tiled product a generated product-with-epilogue kernel wraps (<see cref="ProductKernels"/>).
/// Generated sources are <c>KernelPrelude.Source + "...their kernels..."</c>, so the contract lives once, next to
/// the C# structs it mirrors. The generator must not name a kernel after anything declared here: a test checks its
/// reserved names against this text.
/// </summary>
public static class KernelPrelude
{
    /// <summary>The struct every kernel takes by value, <c>arguments_of</c>, and the IEEE constants NVRTC (which has no math.h) lacks.</summary>
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
    int arguments[16];   // the op's integer arguments: read them as its typed struct with arguments_of
    float scalars[8];    // numbers known only at run time
};

// A kernel family's integer arguments as its struct (ProductArguments, ReductionArguments, ...), whose C# twin
// writes them: fields by name, never by position.
template <typename T>
__device__ __forceinline__ const T& arguments_of(const Geometry& g)
{
    return *reinterpret_cast<const T*>(g.arguments);
}
";

    /// <summary><see cref="Geometry"/>, the elementwise index helper and the tiled product.</summary>
    public const string Source = Geometry + @"
// The element of pointer argument p read by output element i: broadcasting and views through the strides.
__device__ __forceinline__ int at(const Geometry& g, int p, int i)
{
    const int c3 = i % g.dims[3]; i /= g.dims[3];
    const int c2 = i % g.dims[2]; i /= g.dims[2];
    const int c1 = i % g.dims[1]; const int c0 = i / g.dims[1];
    return c0 * g.strides[p][0] + c1 * g.strides[p][1] + c2 * g.strides[p][2] + c3 * g.strides[p][3];
}

" + ProductKernels.Device;
}
