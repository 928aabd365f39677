using Differentiable.Scheduling;

namespace Differentiable.Cuda;

/// <summary>A <c>CUfunction</c> of a loaded module; launched through <see cref="CudaBackend.Launch"/>.</summary>
internal sealed class CudaKernel(CudaBackend owner, string moduleName, string name, IntPtr function) : IKernel
{
    public string Name { get; } = name;

    public string ModuleName { get; } = moduleName;

    /// <summary>Launching on another backend would hand its stream a function from a different context.</summary>
    public CudaBackend Owner { get; } = owner;

    public IntPtr Function { get; } = function;

    public override string ToString() => $"{ModuleName}.{Name}";
}
