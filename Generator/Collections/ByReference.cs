using System.Collections.Generic;

namespace Differentiable.Generator.Collections;

/// <summary>
/// Keys compared by identity: what syntax nodes and backward steps are equal by, without the virtual or member-wise
/// Equals and GetHashCode a record or a node would run for each of a long body's thousands of lookups.
/// (netstandard2.0 has no <c>ReferenceEqualityComparer</c>.)
/// </summary>
internal sealed class ByReference<T> : IEqualityComparer<T> where T : class
{
    public static readonly ByReference<T> Instance = new();

    public bool Equals(T? x, T? y) => ReferenceEquals(x, y);

    public int GetHashCode(T value) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value);
}
