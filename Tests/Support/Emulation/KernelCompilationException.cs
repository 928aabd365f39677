namespace Differentiable.Tests.Support.Emulation;

/// <summary>A kernel source that g++ rejected, with the module it belongs to and the compiler's own words.</summary>
public sealed class KernelCompilationException(string moduleName, string compilerOutput)
    : Exception($"Module '{moduleName}' failed to compile for host emulation:\n{compilerOutput}")
{
    public string ModuleName { get; } = moduleName;

    public string CompilerOutput { get; } = compilerOutput;
}
