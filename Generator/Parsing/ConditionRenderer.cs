using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// Writes a condition, a loop header part or a number statement of a body with control flow back as C# for the
/// generated file, which has other usings than the user's: locals and arguments keep their names (the driver declares
/// them as the user did), members of the model are read as written, and anything reached through a type (a static
/// member, a static or extension method) is fully qualified. Constants are written as their values. What cannot be
/// copied faithfully (lambdas, generic calls, out arguments, ...) is DIFF016 at that expression. No gradient flows
/// through what is written here: conditions choose a path, they are not differentiated (as in PyTorch).
/// </summary>
internal sealed class ConditionRenderer(SemanticModel model, List<DiagnosticInfo> diagnostics, CancellationToken cancellation)
{
    private const string Advice = "conditions and loop headers may read numbers: locals, arguments, fields, literals, operators and method calls such as b.Norm().Item()";

    /// <summary>Whether an expression rendered so far reads a tensor (turned into a number: <c>b.Sum().Item() &gt; 0</c>).</summary>
    public bool ReadsTensorValues { get; private set; }

    /// <summary>The expression as C#, or null after a diagnostic.</summary>
    public string? Render(ExpressionSyntax expression)
    {
        var before = diagnostics.Count;
        ReadsTensorValues |= expression.DescendantNodesAndSelf().OfType<ExpressionSyntax>().Any(e => model.GetTypeInfo(e, cancellation).Type.Is(KnownTypes.Tensor));
        var text = Write(expression);
        return diagnostics.Count == before ? text : null;
    }

    private string Write(ExpressionSyntax expression)
    {
        cancellation.ThrowIfCancellationRequested();
        if (Constant(expression) is { } constant) return constant;
        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return "(" + Write(parenthesized.Expression) + ")";
            case PrefixUnaryExpressionSyntax unary when unary.Kind() is SyntaxKind.LogicalNotExpression or SyntaxKind.UnaryMinusExpression or SyntaxKind.UnaryPlusExpression:
                return unary.OperatorToken.Text + Write(unary.Operand);
            case PrefixUnaryExpressionSyntax increment when increment.Kind() is SyntaxKind.PreIncrementExpression or SyntaxKind.PreDecrementExpression:
                return increment.OperatorToken.Text + NumberLocal(increment.Operand);
            case PostfixUnaryExpressionSyntax increment when increment.Kind() is SyntaxKind.PostIncrementExpression or SyntaxKind.PostDecrementExpression:
                return NumberLocal(increment.Operand) + increment.OperatorToken.Text;
            case PostfixUnaryExpressionSyntax suppressed when suppressed.IsKind(SyntaxKind.SuppressNullableWarningExpression):
                return Write(suppressed.Operand);
            case BinaryExpressionSyntax binary when !binary.IsKind(SyntaxKind.IsExpression) && !binary.IsKind(SyntaxKind.AsExpression):
                return Write(binary.Left) + " " + binary.OperatorToken.Text + " " + Write(binary.Right);
            case AssignmentExpressionSyntax assignment:
                return NumberLocal(assignment.Left) + " " + assignment.OperatorToken.Text + " " + Write(assignment.Right);
            case ConditionalExpressionSyntax conditional:
                return Write(conditional.Condition) + " ? " + Write(conditional.WhenTrue) + " : " + Write(conditional.WhenFalse);
            case CastExpressionSyntax cast when model.GetTypeInfo(cast.Type, cancellation).Type is { } type && type.IsNumber():
                return "(" + type.ToDisplayString() + ")" + Write(cast.Expression);
            case ThisExpressionSyntax:
                return "this";
            case IdentifierNameSyntax or MemberAccessExpressionSyntax:
                return Reference(expression);
            case InvocationExpressionSyntax invocation:
                return Invocation(invocation);
            case ElementAccessExpressionSyntax element when element.ArgumentList.Arguments.All(a => a.NameColon is null && a.RefKindKeyword.IsKind(SyntaxKind.None)):
                return Write(element.Expression) + "[" + string.Join(", ", element.ArgumentList.Arguments.Select(a => Write(a.Expression))) + "]";
        }
        return Refuse(expression, Advice);
    }

    /// <summary>A constant (literal, const field, <c>Math.PI</c>) as its value, so no name has to resolve in the generated file.</summary>
    private string? Constant(ExpressionSyntax expression)
    {
        var constant = model.GetConstantValue(expression, cancellation);
        if (!constant.HasValue) return null;
        // An enum member folds to its number: written back as a cast, so it still compares with the enum.
        if (model.GetTypeInfo(expression, cancellation).Type is { TypeKind: TypeKind.Enum } enumType && constant.Value is not null)
            return "((global::" + enumType.FullName() + ")" + System.Convert.ToString(constant.Value, CultureInfo.InvariantCulture) + ")";
        switch (constant.Value)
        {
            case bool b: return b ? "true" : "false";
            case int i: return i.ToString(CultureInfo.InvariantCulture);
            case long l: return l.ToString(CultureInfo.InvariantCulture) + "L";
            case double d: return Double(d, "");
            case float f: return Double(f, "f");
        }
        return null;
    }

    private static string Double(double d, string suffix)
    {
        if (double.IsNaN(d)) return "double.NaN";
        if (double.IsPositiveInfinity(d)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(d)) return "double.NegativeInfinity";
        var text = d.ToString("R", CultureInfo.InvariantCulture);
        if (suffix.Length == 0 && text.IndexOfAny(new[] { '.', 'E', 'e' }) < 0) text += ".0";
        return text + suffix;
    }

    /// <summary>A local, argument or member: locals and instance members as written, static members through their type.</summary>
    private string Reference(ExpressionSyntax expression)
    {
        var symbol = model.GetSymbolInfo(expression, cancellation).Symbol;
        var name = expression is MemberAccessExpressionSyntax m ? m.Name.Identifier.ValueText : ((IdentifierNameSyntax)expression).Identifier.ValueText;
        switch (symbol)
        {
            case ILocalSymbol or IParameterSymbol when expression is IdentifierNameSyntax:
                return KnownTypes.Identifier(name);
            case IFieldSymbol or IPropertySymbol when symbol.IsStatic:
                return "global::" + symbol.ContainingType.FullName() + "." + KnownTypes.Identifier(name);
            case IFieldSymbol or IPropertySymbol when expression is IdentifierNameSyntax:
                return KnownTypes.Identifier(name);
            case IFieldSymbol or IPropertySymbol when expression is MemberAccessExpressionSyntax access:
                return Write(access.Expression) + "." + KnownTypes.Identifier(name);
        }
        return Refuse(expression, Advice);
    }

    private string Invocation(InvocationExpressionSyntax invocation)
    {
        if (model.GetSymbolInfo(invocation, cancellation).Symbol is not IMethodSymbol method || method.IsGenericMethod && method.ReducedFrom is null && method.TypeArguments.Length > 0
            || invocation.ArgumentList.Arguments.Any(a => !a.RefKindKeyword.IsKind(SyntaxKind.None)))
            return Refuse(invocation, "only calls of non-generic methods with plain arguments can be copied into generated code");
        var arguments = invocation.ArgumentList.Arguments.Select(a => (a.NameColon is { } n ? n.Name.Identifier.Text + ": " : "") + Write(a.Expression)).ToList();
        var receiver = invocation.Expression as MemberAccessExpressionSyntax;
        if (method.ReducedFrom is { } extension)
        {
            // b.Foo(x) for an extension method: written as the static call it is, the generated file lacks the user's usings.
            if (receiver is null) return Refuse(invocation, Advice);
            return "global::" + extension.ContainingType.FullName() + "." + method.Name + "(" + string.Join(", ", new[] { Write(receiver.Expression) }.Concat(arguments)) + ")";
        }
        if (method.MethodKind != MethodKind.Ordinary)
            return Refuse(invocation, "delegates and lambdas cannot be copied into generated code; compute the number into a local first");
        if (method.IsStatic) return "global::" + method.ContainingType.FullName() + "." + method.Name + "(" + string.Join(", ", arguments) + ")";
        if (receiver is not null) return Write(receiver.Expression) + "." + method.Name + "(" + string.Join(", ", arguments) + ")";
        // A method of this model called by its name alone.
        if (invocation.Expression is IdentifierNameSyntax) return method.Name + "(" + string.Join(", ", arguments) + ")";
        return Refuse(invocation, Advice);
    }

    /// <summary>The target of <c>k++</c> or <c>k += 2</c>: a local number, never a field (a [Differentiable] body is pure).</summary>
    private string NumberLocal(ExpressionSyntax target)
    {
        if (target is IdentifierNameSyntax identifier && model.GetSymbolInfo(target, cancellation).Symbol is ILocalSymbol local && local.Type.IsNumber())
            return KnownTypes.Identifier(identifier.Identifier.ValueText);
        return Refuse(target, "only number locals can be assigned here");
    }

    private string Refuse(SyntaxNode node, string why)
    {
        diagnostics.Add(new DiagnosticInfo(Diagnostics.ConditionNotSupported, SourceSpot.From(node), OneLine.Of(node.ToString()), why));
        return "";
    }
}
