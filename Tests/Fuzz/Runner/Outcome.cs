namespace Differentiable.Fuzz.Runner;

/// <summary>What happened to one case. Everything but <see cref="Ok"/> and <see cref="Diagnosed"/> is a failure.</summary>
public enum Outcome
{
    /// <summary>Generated, compiled, and (random programs) gradient-checked.</summary>
    Ok,
    /// <summary>The case is rejected with a DIFF0xx error or does not compile by itself: the generator's promised behaviour.</summary>
    Diagnosed,
    /// <summary>
    /// A random program whose value overflows (or is NaN) in the eager method too, at its random inputs: the generated
    /// value agreed, but central differences of a value that is not finite say nothing, so its gradient was not checked.
    /// </summary>
    Unchecked,
    /// <summary>The generator threw (GeneratorRunResult.Exception, CS8785).</summary>
    Threw,
    /// <summary>The generator reported DIFF099, its internal error.</summary>
    Diff099,
    /// <summary>The generated code of an accepted case does not compile.</summary>
    Uncompilable,
    /// <summary>The generator ran past the time budget.</summary>
    Slow,
    /// <summary>The process running the generator died (a stack overflow on the compiler's 1 MiB generator stack).</summary>
    Crashed,
    /// <summary>A well-formed random program's gradient (or value) differs from float64 central differences of the eager method.</summary>
    GradCheckFailed,
    /// <summary>A well-formed random program was rejected (DIFF error or compile error): a generator limitation or a fuzzer bug.</summary>
    Rejected,
    /// <summary>NVRTC could not compile a generated CUDA source of a sampled case.</summary>
    KernelRejected,
}

public sealed record CaseResult(string Id, Outcome Outcome, string Detail)
{
    public bool IsFailure => Outcome is not (Outcome.Ok or Outcome.Diagnosed or Outcome.Unchecked);
}
