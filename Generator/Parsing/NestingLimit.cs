using System.Collections.Generic;
using System.Threading;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// The parser, the equality of the specs it makes and the lowering all recurse once per level of an expression,
/// and the compiler runs generators on a 1 MiB stack. This walk (iterative: it never recurses itself) measures a
/// body's nesting first and turns anything deeper than <see cref="MaxDepth"/> into DIFF014, never a stack overflow.
/// </summary>
internal static class NestingLimit
{
    /// <summary>Expressions and statements inside one another; 100-deep calls like Relu(Sin(Relu(...))) stay well inside.</summary>
    public const int MaxDepth = 256;

    /// <summary>True when the body is shallow enough to parse; otherwise reports DIFF014 at the outermost expression of the deep one.</summary>
    public static bool Check(MethodDeclarationSyntax method, List<DiagnosticInfo> diagnostics, CancellationToken cancellation)
    {
        SyntaxNode? body = (SyntaxNode?)method.Body ?? method.ExpressionBody;
        if (body is null) return true;
        var stack = new Stack<(SyntaxNode Node, int Depth, SyntaxNode? Outermost)>();
        stack.Push((body, 0, null));
        var visited = 0;
        while (stack.Count > 0)
        {
            if (++visited % 4096 == 0) cancellation.ThrowIfCancellationRequested();
            var (node, depth, outermost) = stack.Pop();
            var counts = node is ExpressionSyntax or StatementSyntax;
            if (counts) depth++;
            if (node is ExpressionSyntax && outermost is null) outermost = node;
            if (depth > MaxDepth)
            {
                diagnostics.Add(new DiagnosticInfo(Diagnostics.NestedTooDeep, SourceSpot.From(outermost ?? node),
                    MaxDepth.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                return false;
            }
            // Children through the struct list of nodes and tokens: ChildNodes() allocates an iterator per node walked. A child
            // too short to nest past the limit is not walked (most statements: the walk built every node of a long body).
            foreach (var child in node.ChildNodesAndTokens())
                if (child.AsNode() is { } childNode && !TooShortToNestPast(childNode, depth)) stack.Push((childNode, depth, outermost));
        }
        return true;
    }

    /// <summary>
    /// Whether <paramref name="node"/>, below <paramref name="depth"/> levels, cannot reach <see cref="MaxDepth"/>: each level
    /// of expressions and statements inside one another takes at least one character of its own (an operator, a
    /// parenthesis, a semicolon), so a node nests at most one level per character; counted twice, for the zero-width
    /// tokens the compiler's error recovery inserts.
    /// </summary>
    private static bool TooShortToNestPast(SyntaxNode node, int depth) => depth + 2 * node.FullSpan.Length + 2 <= MaxDepth;
}
