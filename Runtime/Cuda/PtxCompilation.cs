namespace Differentiable.Cuda;

/// <summary>Where a module's PTX came from; tests use it to prove that a second run compiles nothing.</summary>
public enum PtxOrigin
{
    /// <summary>NVRTC compiled the source just now.</summary>
    Compiled,

    /// <summary>This <see cref="KernelCompiler"/> compiled it earlier in the process.</summary>
    MemoryCache,

    /// <summary>An earlier run (or another compiler instance) left it in the cache directory, and its header checked out.</summary>
    DiskCache,
}

/// <summary>The PTX of one module and where it came from.</summary>
public sealed record PtxCompilation(string Ptx, PtxOrigin Origin)
{
    public bool IsCacheHit => Origin != PtxOrigin.Compiled;
}
