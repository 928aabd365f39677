using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// Whether a method's own code does not compile, so that it gets only the compiler's errors (a DIFF0xx on top would
/// only confuse). Asking Roslyn for the body's diagnostics runs the whole method compiler (flow analysis included) a
/// second time, which measured as a quarter of the generator's time; the bound operation tree, which the parser needs
/// anyway, shows the same errors: syntax errors, and invalid operations or conversions where binding failed.
/// </summary>
internal static class CompileErrors
{
    /// <param name="bound">Filled with the body's names and calls as it is walked (see <see cref="BoundOperations"/>): complete when this returns false.</param>
    public static bool In(MethodDeclarationSyntax method, SemanticModel model, BoundOperations bound, CancellationToken cancellation)
    {
        if (method.ContainsDiagnostics && method.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error)) return true;
        if ((BoundNodeCaches.RootOperation(model, method) ?? model.GetOperation(method, cancellation)) is not { } root) return false;
        if (root is not IMethodBodyOperation { BlockBody: { Operations: { Length: >= BodyParser.SplitFrom } statements } block, ExpressionBody: null })
            return HasErrors(root.DescendantsAndSelf(), bound, part: 0);

        // A long body's operations are made as they are first walked (Roslyn makes a tree's children lazily, thread-safely):
        // its statements are walked in two halves, the second on another core, as the parser then parses them.
        var half = statements.Length / 2;
        var second = Offloaded<bool>.Start(() => HasErrors(statements.Skip(half).SelectMany(s => s.DescendantsAndSelf()), bound, part: 1), offload: true);
        var first = HasErrors(new[] { root, block }.Concat(statements.Take(half).SelectMany(s => s.DescendantsAndSelf())), bound, part: 0);
        return second.Join() | first;
    }

    private static bool HasErrors(IEnumerable<IOperation> operations, BoundOperations bound, int part)
    {
        foreach (var node in operations)
        {
            if (node.Kind == OperationKind.Invalid || node is IConversionOperation { Conversion.Exists: false }) return true;
            bound.Add(node, part);
        }
        return false;
    }
}
