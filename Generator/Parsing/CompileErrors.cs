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
        if (model.GetOperation(method, cancellation) is not { } operation) return false;
        foreach (var node in operation.DescendantsAndSelf())
        {
            if (node.Kind == OperationKind.Invalid || node is IConversionOperation { Conversion.Exists: false }) return true;
            bound.Add(node);
        }
        return false;
    }
}
