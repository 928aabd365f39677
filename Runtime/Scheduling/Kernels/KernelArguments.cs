using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Differentiable.Scheduling;

/// <summary>
/// A kernel family's integer arguments are one C# struct, written into <see cref="KernelGeometry.Arguments"/> here,
/// and a CUDA struct of the same fields in the same order (snake_case), declared as a string beside the C# struct
/// and read in the kernel with <c>arguments_of&lt;T&gt;(g)</c>. Nothing is addressed by slot number; a test
/// compares every pair field by field (<c>KernelArgumentsLayoutTests</c>).
/// </summary>
public static class KernelArguments
{
    /// <summary>Every argument struct with its CUDA declaration, for the layout test and for documentation.</summary>
    public static IReadOnlyList<(Type Type, string Cuda)> All { get; } = new (Type, string)[]
    {
        (typeof(ProductArguments), ProductKernels.ArgumentsCuda),
        (typeof(ReductionArguments), ReductionKernels.ArgumentsCuda),
        (typeof(GatherArguments), LabelKernels.GatherArgumentsCuda),
        (typeof(ScatterArguments), LabelKernels.ScatterArgumentsCuda),
        (typeof(ConcatArguments), ShapeKernels.ConcatArgumentsCuda),
        (typeof(ConvolutionArguments), ConvolutionKernels.ArgumentsCuda),
        (typeof(PoolArguments), PoolKernels.ArgumentsCuda),
        (typeof(OptimizerArguments), TrainingKernels.OptimizerArgumentsCuda),
        (typeof(BatchArguments), BatchKernels.ArgumentsCuda),
    };

    /// <summary>Writes <paramref name="arguments"/> over the geometry's argument words.</summary>
    public static void Set<T>(ref KernelGeometry geometry, in T arguments) where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() > KernelGeometry.MaxArguments * sizeof(int))
            throw new InvalidOperationException($"{typeof(T).Name} takes {Unsafe.SizeOf<T>()} bytes; a kernel's arguments fit in {KernelGeometry.MaxArguments * sizeof(int)}.");
        Span<int> words = geometry.Arguments;
        MemoryMarshal.Write(MemoryMarshal.AsBytes(words), in arguments);
    }

    /// <summary>Reads the geometry's argument words back as <typeparamref name="T"/> (tests, the plan printout).</summary>
    public static T Get<T>(in KernelGeometry geometry) where T : unmanaged
    {
        ReadOnlySpan<int> words = geometry.Arguments;
        return MemoryMarshal.Read<T>(MemoryMarshal.AsBytes(words));
    }
}
