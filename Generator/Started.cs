using System.Collections.Generic;

namespace Differentiable.Generator;

/// <summary>
/// A step of the pipeline started on another core as soon as the pipeline knows it must run, so that the compiler's
/// calls of the next step, which come one entry after another, find entries done at once: each method parsed, each class
/// written (a project's models are many small methods in many small classes: one core did them all). Equal when the
/// input is: the pipeline's cache compares the input, never the result, and an entry whose input is cached is neither
/// started nor joined.
/// </summary>
/// <remarks>
/// The compiler computes a step's every entry before the next step reads the first, so every changed entry is queued
/// before the first is joined; an entry no thread has started yet runs on the thread that joins it
/// (<see cref="Offloaded{T}"/>), so a busy thread pool costs nothing. The work must be safe to run alongside the
/// others' (a method's parse asks thread-safe semantic models and empties only its own method's caches, see
/// BoundNodeCaches; a class is written from its own work).
/// </remarks>
internal sealed class Started<TInput, TResult> : System.IEquatable<Started<TInput, TResult>>
{
    private readonly Offloaded<TResult> _result;

    public Started(TInput input, System.Func<TInput, TResult> work)
    {
        Input = input;
        _result = Offloaded<TResult>.Start(() => work(input), offload: true);
    }

    public TInput Input { get; }

    /// <summary>The result, once it has run here or elsewhere; rethrows what the work threw.</summary>
    public TResult Join() => _result.Join();

    public bool Equals(Started<TInput, TResult>? other) => other is not null && EqualityComparer<TInput>.Default.Equals(Input, other.Input);

    public override bool Equals(object? obj) => Equals(obj as Started<TInput, TResult>);

    public override int GetHashCode() => Input is null ? 0 : EqualityComparer<TInput>.Default.GetHashCode(Input);
}
