using System;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// A [Differentiable] method as found, before it is parsed: its declaration, equal to the one found in the previous
/// run when it is the same declaration of the same syntax tree. Finding is cheap and runs for every file whenever the
/// compilation changes; parsing binds the body and runs only when the method's file changed or the declarations it
/// binds against did (<see cref="CompilationShape"/>). The compilation it was found in is held weakly: an entry of
/// the incremental cache must not keep old compilations alive.
/// </summary>
internal sealed class MethodTarget : IEquatable<MethodTarget>
{
    private readonly WeakReference<Compilation> _compilation;

    public MethodTarget(MethodDeclarationSyntax syntax, Compilation compilation)
    {
        Syntax = syntax;
        _compilation = new WeakReference<Compilation>(compilation);
    }

    public MethodDeclarationSyntax Syntax { get; }

    /// <summary>The compilation the method was found in, while something else keeps it alive (the driver does, during the run that found it).</summary>
    public Compilation? Compilation => _compilation.TryGetTarget(out var compilation) ? compilation : null;

    public bool Equals(MethodTarget? other) =>
        other is not null && ReferenceEquals(Syntax.SyntaxTree, other.Syntax.SyntaxTree) && Syntax.Span == other.Syntax.Span;

    public override bool Equals(object? obj) => Equals(obj as MethodTarget);

    public override int GetHashCode() => RuntimeHelpers.GetHashCode(Syntax.SyntaxTree) * 31 + Syntax.Span.GetHashCode();
}
