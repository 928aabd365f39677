using System.Runtime.InteropServices;

namespace Differentiable.Scheduling;

/// <summary>What <c>gather</c> reads: x (n, classes) through its strides.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GatherArguments
{
    public int Classes, RowStride, ColumnStride;
}

/// <summary>What <c>scatter_labels</c> reads: the output's classes and the upstream gradient's stride.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ScatterArguments
{
    public int Classes, GradientStride;
}

/// <summary>Indexing by class labels: the negative log-likelihood's pick and its adjoint.</summary>
public static class LabelKernels
{
    public const string GatherArgumentsCuda = @"struct GatherArguments
{
    int classes, row_stride, column_stride;
};
";

    public const string ScatterArgumentsCuda = @"struct ScatterArguments
{
    int classes, gradient_stride;
};
";

    public const string Kernels = GatherArgumentsCuda + ScatterArgumentsCuda + @"
// out[i] = x[i, labels[i]].
extern ""C"" __global__ void gather(const Geometry g, float* __restrict__ out, const float* __restrict__ x, const int* __restrict__ labels)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    const GatherArguments& args = arguments_of<GatherArguments>(g);
    out[i] = x[(long)i * args.row_stride + (long)labels[i] * args.column_stride];
}

// out (n, classes): the upstream gradient at [row, labels[row]], zero elsewhere.
extern ""C"" __global__ void scatter_labels(const Geometry g, float* __restrict__ out, const float* __restrict__ gradient, const int* __restrict__ labels)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    const ScatterArguments& args = arguments_of<ScatterArguments>(g);
    const int row = i / args.classes, column = i % args.classes;
    out[i] = column == labels[row] ? gradient[(long)row * args.gradient_stride] : 0.0f;
}
";
}
