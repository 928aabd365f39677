namespace Differentiable.Scheduling;

/// <summary>
/// The runtime's own kernel module: every op with a fixed kernel (products, reductions, labels, convolutions,
/// pooling, copies), each beside the <see cref="ProgramBuilder"/> method that fills its typed arguments. Generated
/// sources hold only what is specific to a model (fused elementwise kernels and product epilogues), so this module is
/// compiled once per process (and cached on disk), however many models use it.
/// </summary>
public static class RuntimeKernels
{
    public const string ModuleName = "Differentiable.Kernels";

    public const string Source = KernelPrelude.Source + ProductKernels.Kernels + ReductionKernels.Kernels + LabelKernels.Kernels
        + ShapeKernels.Kernels + ConvolutionKernels.Kernels + PoolKernels.Kernels;
}
