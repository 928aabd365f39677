using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Differentiable.Scheduling;

/// <summary>
/// The one argument every generated kernel takes by value (the CUDA struct <c>Geometry</c> in each generated
/// source has the same layout): how many threads do work, the output's shape right-aligned to 4 dimensions, per
/// pointer argument its element strides over those 4 dimensions (0 where it is broadcast), the op's typed integer
/// arguments (<see cref="KernelArguments"/>) and run-time numbers. Kernels never see more than 4 dimensions or 8 pointers.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct KernelGeometry
{
    public const int Rank = 4;
    public const int MaxPointers = 8;
    public const int MaxArguments = 16;
    public const int MaxScalars = 8;

    /// <summary>Threads that do work; the kernel returns at once for indices ≥ Count.</summary>
    public int Count;

    /// <summary>The output's 4 dimensions, leading ones padded with 1.</summary>
    public Dims4 Dims;

    /// <summary>Per pointer argument (output first), element strides over <see cref="Dims"/>.</summary>
    public StrideTable Strides;

    /// <summary>
    /// The op's integer arguments, written and read as one typed struct per kernel family (<see cref="ProductArguments"/>,
    /// <see cref="ReductionArguments"/>, ...) through <see cref="KernelArguments.Set{T}"/>: never by slot number.
    /// </summary>
    public ArgumentTable Arguments;

    /// <summary>Numbers known only at run time (scalar fields of the model, 1/n of a mean).</summary>
    public ScalarTable Scalars;

    [InlineArray(Rank)] public struct Dims4 { private int _e; }
    [InlineArray(MaxPointers * Rank)] public struct StrideTable { private int _e; }
    [InlineArray(MaxArguments)] public struct ArgumentTable { private int _e; }
    [InlineArray(MaxScalars)] public struct ScalarTable { private float _e; }

    public const int SizeInBytes = 4 * (1 + Rank + MaxPointers * Rank + MaxArguments) + 4 * MaxScalars;
}
