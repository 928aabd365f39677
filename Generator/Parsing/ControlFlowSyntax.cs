using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.Parsing;

// The statements of a body with control flow (issue 11). Such a body is not lowered as one graph: its
// straight-line statements are differentiated one by one and a driver writes the user's if/while/for around them
// (Emit/ControlFlowEmitter). Conditions and loop headers only read numbers, so they are kept as C# text, rendered
// by ConditionRenderer from the user's syntax with every name the generated file might not see fully qualified.

/// <summary><c>if (Condition) Then else Else</c>; <c>else if</c> is an <see cref="IfStatement"/> alone in <see cref="Else"/>.</summary>
internal sealed record IfStatement(string Condition, EquatableArray<Stmt> Then, EquatableArray<Stmt> Else, bool HasElse, SourceSpot Where, string Text)
    : Stmt(Where, Text);

/// <summary><c>while (Condition) Body</c>.</summary>
internal sealed record WhileLoop(string Condition, EquatableArray<Stmt> Body, SourceSpot Where, string Text) : Stmt(Where, Text);

/// <summary>A <c>for</c> loop run as written (<see cref="Header"/>: its rendered <c>for (...)</c>), not unrolled.</summary>
internal sealed record RuntimeForLoop(string Header, EquatableArray<Stmt> Body, SourceSpot Where, string Text) : Stmt(Where, Text);

internal sealed record BreakStatement(SourceSpot Where, string Text) : Stmt(Where, Text);

internal sealed record ContinueStatement(SourceSpot Where, string Text) : Stmt(Where, Text);

/// <summary><c>Tensor c;</c>: a local assigned later, on every path (C#'s definite assignment already checked).</summary>
internal sealed record DeclaredLocal(string Name, string TypeName, SourceSpot Where, string Text) : Stmt(Where, Text);

/// <summary>A statement on numbers only (<c>int k = 0;</c>, <c>k += 2;</c>): no gradient, copied as <see cref="Code"/>.</summary>
internal sealed record NumberStatement(string Code, SourceSpot Where, string Text) : Stmt(Where, Text);

/// <summary>A nested <c>{ ... }</c> block, kept so that its locals keep their scope.</summary>
internal sealed record BlockStatement(EquatableArray<Stmt> Body, SourceSpot Where, string Text) : Stmt(Where, Text);

/// <summary>
/// <c>foreach (var Variable in List) Body</c> over a list of sub-modules (an array or list field of the model, at
/// <see cref="ListPath"/>, counted by <see cref="CountMember"/>: <c>Length</c> or <c>Count</c>). Calls on
/// <see cref="Variable"/> reach the element's parameters, named by index as PyTorch's state_dict does (<c>Layers.0.W</c>).
/// </summary>
internal sealed record ForEachModule(string Variable, string ListPath, string CountMember, EquatableArray<Stmt> Body, SourceSpot Where, string Text)
    : Stmt(Where, Text);

/// <summary>Walks of statement trees, without recursion (bodies nest as deep as the user writes them).</summary>
internal static class Statements
{
    /// <summary>The statements directly inside <paramref name="statement"/>: a loop's body, both sides of a branch, a block's.</summary>
    public static IEnumerable<Stmt> Inner(Stmt statement) => statement switch
    {
        ForLoop loop => loop.Body,
        IfStatement branch => branch.Then.Concat(branch.Else),
        WhileLoop loop => loop.Body,
        RuntimeForLoop loop => loop.Body,
        BlockStatement block => block.Body,
        ForEachModule loop => loop.Body,
        _ => Enumerable.Empty<Stmt>(),
    };

    /// <summary>Whether <paramref name="statement"/> holds other statements.</summary>
    public static bool IsContainer(Stmt statement) =>
        statement is ForLoop or IfStatement or WhileLoop or RuntimeForLoop or BlockStatement or ForEachModule;

    /// <summary>Every statement, nested ones included, in source order.</summary>
    public static IEnumerable<Stmt> Flatten(IEnumerable<Stmt> statements)
    {
        var pending = new Stack<Stmt>();
        PushReversed(pending, statements);
        while (pending.Count > 0)
        {
            var statement = pending.Pop();
            yield return statement;
            // Only containers have inner statements: no reversed copy of an empty list per straight statement.
            if (IsContainer(statement)) PushReversed(pending, Inner(statement));
        }
    }

    /// <summary>Pushes <paramref name="statements"/> so the first is on top.</summary>
    private static void PushReversed(Stack<Stmt> pending, IEnumerable<Stmt> statements)
    {
        var list = statements as IReadOnlyList<Stmt> ?? statements.ToList();
        for (var i = list.Count - 1; i >= 0; i--) pending.Push(list[i]);
    }
}
