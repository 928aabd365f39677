namespace Differentiable.Fuzz.Cases;

/// <summary>The three ways cases are made; <see cref="All"/> interleaves them.</summary>
public enum Family { Random, Mutation, Edge, All, File }

/// <summary>
/// What the gradient check of a well-formed random program needs to know: the entry method, whether it is static,
/// and its arguments (tensors by shape, numbers by value) in declaration order.
/// </summary>
public sealed record CheckSpec(string Method, bool IsStatic, IReadOnlyList<Argument> Arguments);

/// <summary>A tensor argument (<see cref="Shape"/> set) or a number argument of C# type <see cref="Type"/>.</summary>
public sealed record Argument(string Name, string Type, int[]? Shape, double Number = 0);

/// <summary>
/// One fuzz case: C# files (the first is the case itself, the rest are unmodified files it depends on) and,
/// for well-formed random programs, how to gradient-check the result. <see cref="Id"/> regenerates it.
/// </summary>
public sealed record FuzzCase(string Id, Family Family, string Description, IReadOnlyList<string> Files, CheckSpec? Check = null)
{
    public string Source => Files[0];
}
