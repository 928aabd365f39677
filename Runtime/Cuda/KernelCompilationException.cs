namespace Differentiable.Cuda;

/// <summary>
/// NVRTC rejected a CUDA source. The message names the module and carries NVRTC's log (the file, line and error),
/// which is what a person needs to find the bad line in the generated kernel.
/// </summary>
public sealed class KernelCompilationException : Exception
{
    public KernelCompilationException(string moduleName, string architecture, string error, string log)
        : base($"NVRTC could not compile kernel module '{moduleName}' for {architecture} ({error}):{Environment.NewLine}{log.TrimEnd()}")
    {
        ModuleName = moduleName;
        Architecture = architecture;
        Log = log;
    }

    public string ModuleName { get; }

    /// <summary>The virtual architecture it was compiled for ("compute_90").</summary>
    public string Architecture { get; }

    /// <summary>NVRTC's program log, verbatim.</summary>
    public string Log { get; }
}
