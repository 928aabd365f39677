using Differentiable.Generator.Model;

namespace Differentiable.Generator.Parsing;

// The subset of C# a [Differentiable] body may use, as equatable records. The parser maps Roslyn syntax
// (with its semantic model) to these; the lowerer turns them into the graph. Every record carries where it
// came from, so later stages can still report a diagnostic at the exact expression.

internal abstract record Stmt(SourceSpot Where, string Text);

/// <summary><c>var name = value;</c></summary>
internal sealed record LocalDeclaration(string Name, Expr Value, SourceSpot Where, string Text) : Stmt(Where, Text);

/// <summary><c>name = value;</c> (compound assignments are expanded by the parser).</summary>
internal sealed record LocalAssignment(string Name, Expr Value, SourceSpot Where, string Text) : Stmt(Where, Text);

internal sealed record ReturnStatement(Expr Value, SourceSpot Where, string Text) : Stmt(Where, Text);

/// <summary><c>for (int Variable = Start; Variable &lt; End; Variable += Step)</c> with bounds known now: unrolled.</summary>
internal sealed record ForLoop(string Variable, int Start, int End, int Step, EquatableArray<Stmt> Body, SourceSpot Where, string Text)
    : Stmt(Where, Text);

internal abstract record Expr(SourceSpot Where);

/// <summary>A local variable, a method argument, or a loop variable.</summary>
internal sealed record NameRef(string Name, SourceSpot Where) : Expr(Where);

/// <summary>A member of the model reached from <c>this</c> by a dotted path (<c>W1</c>, <c>L1.W</c>).</summary>
internal sealed record MemberRef(string Path, MemberKind Kind, SourceSpot Where) : Expr(Where);

internal enum MemberKind
{
    /// <summary>A [Parameter] tensor: gradients flow to it.</summary>
    Parameter,
    /// <summary>Any other tensor member: a constant for differentiation.</summary>
    ConstantTensor,
    /// <summary>A number read at run time (a field or property that is not const).</summary>
    Scalar,
    /// <summary>An int read at run time: a number, and also a pool's or convolution's window size (a layer's kernel, stride, padding).</summary>
    Integer,
    /// <summary>Class labels held by the model.</summary>
    Labels,
}

/// <summary>A number known now (literal or constant).</summary>
internal sealed record NumberLiteral(double Value, SourceSpot Where) : Expr(Where);

internal sealed record BoolLiteral(bool Value, SourceSpot Where) : Expr(Where);

internal sealed record NullLiteral(SourceSpot Where) : Expr(Where);

/// <summary><c>new[] { 1, -1 }</c>, <c>[p1, p2]</c> or <c>params int[]</c> arguments: a shape of numbers, or the tensors <c>Concat</c> joins.</summary>
internal sealed record ArrayLiteral(EquatableArray<Expr> Items, SourceSpot Where) : Expr(Where);

internal sealed record UnaryMinus(Expr Operand, SourceSpot Where) : Expr(Where);

/// <summary><c>+ - * /</c> between tensors and/or numbers.</summary>
internal sealed record BinaryOperation(char Operator, Expr Left, Expr Right, SourceSpot Where) : Expr(Where);

/// <summary>A call of a <c>Differentiable.Ops</c> function (tensor methods are normalised to these), arguments by parameter name.</summary>
internal sealed record OpCall(string Name, EquatableArray<NamedArgument> Arguments, SourceSpot Where) : Expr(Where);

internal sealed record NamedArgument(string Name, Expr Value);

/// <summary>
/// A call of another [Differentiable] method. <see cref="ReceiverPath"/>: null for a static method,
/// "" for this object, "L1" for a sub-module field.
/// </summary>
internal sealed record MethodCall(string CalleeKey, string CalleeName, string? ReceiverPath, EquatableArray<Expr> Arguments, SourceSpot Where)
    : Expr(Where);
