using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator.Parsing;

/// <summary>Turns one [Differentiable] method (syntax + semantic model) into a <see cref="MethodSpec"/> or diagnostics.</summary>
internal static class MethodParser
{
    /// <summary>
    /// Parses one method found by <paramref name="target"/>, against the newest compilation of the two it may come with:
    /// the shape's when it holds the method's tree (the shape changed in this run, or both did), else the target's (the
    /// method's file changed in this run, and the shape held by the cache is an earlier one of the same declarations).
    /// An internal error becomes DIFF099 at the method instead of failing the whole generator.
    /// </summary>
    public static MethodSpec Parse(MethodTarget target, CompilationShape shape, CancellationToken cancellation)
    {
        var syntax = target.Syntax;
        try
        {
            var compilation = shape.Compilation is { } latest && latest.ContainsSyntaxTree(syntax.SyntaxTree) ? latest
                : target.Compilation ?? throw new System.InvalidOperationException("the compilation the method was found in is gone");
            var given = compilation.GetSemanticModel(syntax.SyntaxTree);
            var model = BindingModel.For(given, syntax.SyntaxTree);
            // Ours alone (the driver's may be shared with others): nothing reads it after the parse, and what it caches
            // would keep it alive longer (BoundNodeCaches).
            var ownModel = !ReferenceEquals(model, given);
            try
            {
                if (model.GetDeclaredSymbol(syntax, cancellation) is not { } method)
                    throw new System.InvalidOperationException("the method has no symbol");
                return ParseMethod(method, syntax, model, ownModel, cancellation);
            }
            finally
            {
                if (ownModel) BoundNodeCaches.Clear(model, syntax);
            }
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            var where = SourceSpot.From(syntax.Identifier.GetLocation());
            // From syntax alone: the symbols may be what failed.
            var declaration = syntax.Parent as TypeDeclarationSyntax;
            var type = declaration?.Identifier.ValueText ?? "";
            var owner = new ClassSpec("", type, type, declaration?.Modifiers.Any(SyntaxKind.StaticKeyword) == true, EquatableArray<string>.Empty, EquatableArray<string>.Empty);
            var error = new DiagnosticInfo(Diagnostics.InternalError, where, syntax.Identifier.ValueText, e.GetType().Name + ": " + e.Message);
            return new MethodSpec(owner, syntax.Identifier.ValueText, syntax.Modifiers.Any(SyntaxKind.StaticKeyword), EquatableArray<ArgumentSpec>.Empty,
                EquatableArray<Stmt>.Empty, null, where, new EquatableArray<DiagnosticInfo>(new[] { error }));
        }
    }

    private static MethodSpec ParseMethod(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, bool ownModel, CancellationToken cancellation)
    {
        var type = method.ContainingType;
        var diagnostics = new List<DiagnosticInfo>();
        var where = SourceSpot.From(syntax.Identifier.GetLocation());

        // The generated half is written as 'partial class': a struct, record or interface cannot take it.
        var isTopLevelPartial = type.ContainingType is null && !type.IsGenericType && type.TypeKind == TypeKind.Class && !type.IsRecord
            && type.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellation)).OfType<TypeDeclarationSyntax>()
            .Any(d => d.Modifiers.Any(SyntaxKind.PartialKeyword));
        if (!isTopLevelPartial)
            diagnostics.Add(new DiagnosticInfo(Diagnostics.ClassNotPartial, where, type.Name));

        if (!method.ReturnType.Is(KnownTypes.Tensor))
            diagnostics.Add(new DiagnosticInfo(Diagnostics.NotATensorResult, SourceSpot.From(syntax.ReturnType), method.Name, method.ReturnType.ToDisplayString()));

        var arguments = new List<ArgumentSpec>();
        foreach (var parameter in method.Parameters)
        {
            var kind = KindOf(parameter.Type);
            if (kind is null || parameter.RefKind != RefKind.None)
            {
                var location = parameter.Locations.FirstOrDefault() ?? syntax.Identifier.GetLocation();
                diagnostics.Add(new DiagnosticInfo(Diagnostics.UnsupportedParameter, SourceSpot.From(location), parameter.Name, parameter.Type.ToDisplayString()));
                continue;
            }
            var wrt = kind == ArgumentKind.Tensor && (method.IsStatic || parameter.HasAttribute(KnownTypes.WrtAttribute));
            arguments.Add(new ArgumentSpec(KnownTypes.Identifier(parameter.Name), kind.Value, parameter.Type.ToDisplayString(), wrt));
        }

        // The parser and every later stage recurse along an expression: bound the depth before anything recurses.
        if (!NestingLimit.Check(syntax, diagnostics, cancellation))
            return new MethodSpec(ClassParser.Parse(type, model.Compilation), method.Name, method.IsStatic, new EquatableArray<ArgumentSpec>(arguments),
                EquatableArray<Stmt>.Empty, null, where, new EquatableArray<DiagnosticInfo>(diagnostics));

        // The body is bound once, by a model that skips nullable analysis (BindingModel): nothing here reads nullability,
        // and that analysis measured as a third of binding a long body (the compiler still runs it when it compiles the method).
        // Code that does not compile gets the compiler's own errors; a DIFF0xx on top would only confuse.
        if (ownModel) BoundNodeCaches.Reserve(model, syntax);
        var bound = new BoundOperations();
        if (CompileErrors.In(syntax, model, bound, cancellation))
            return new MethodSpec(ClassParser.Parse(type, model.Compilation), method.Name, method.IsStatic, new EquatableArray<ArgumentSpec>(arguments),
                EquatableArray<Stmt>.Empty, null, where, new EquatableArray<DiagnosticInfo>(diagnostics), HasCompileErrors: true);

        var custom = ParseCustomGradient(method, arguments, where, diagnostics);
        var parser = new BodyParser(model, bound, diagnostics, cancellation);
        var body = parser.ParseBody(syntax);
        if (parser.HasControlFlow && custom is not null)
            diagnostics.Add(new DiagnosticInfo(Diagnostics.ControlFlowNotSupported, where, method.Name, "a method with a custom gradient is called as written; its body may not have control flow"));

        return new MethodSpec(ClassParser.Parse(type, model.Compilation), method.Name, method.IsStatic, new EquatableArray<ArgumentSpec>(arguments),
            body, custom, where, new EquatableArray<DiagnosticInfo>(diagnostics),
            HasControlFlow: parser.HasControlFlow, Locals: new EquatableArray<ArgumentSpec>(parser.Locals), ReadsTensorValuesInConditions: parser.ReadsTensorValues,
            IsExported: custom is null && IsPublic(method), ExternalCallees: new EquatableArray<Calls.CalleeSignature>(parser.ExternalCallees.OrderBy(c => c.Key, System.StringComparer.Ordinal)));
    }

    /// <summary>Callable from other assemblies: a public method of a public class (its pullbacks are then exported).</summary>
    private static bool IsPublic(IMethodSymbol method)
    {
        if (method.DeclaredAccessibility != Accessibility.Public) return false;
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
            if (type.DeclaredAccessibility != Accessibility.Public) return false;
        return true;
    }

    internal static ArgumentKind? KindOf(ITypeSymbol type)
    {
        if (type.Is(KnownTypes.Tensor)) return ArgumentKind.Tensor;
        if (type.Is(KnownTypes.Labels)) return ArgumentKind.Labels;
        if (type.IsInteger()) return ArgumentKind.Int;
        if (type.IsNumber()) return ArgumentKind.Scalar;
        return null;
    }

    /// <summary>The backward must be static, take the tensor arguments then the upstream gradient, and return one gradient per tensor argument.</summary>
    private static CustomGradientSpec? ParseCustomGradient(IMethodSymbol method, List<ArgumentSpec> arguments, SourceSpot where, List<DiagnosticInfo> diagnostics)
    {
        var attribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass.Is(KnownTypes.CustomGradientAttribute));
        if (attribute is null) return null;
        var name = attribute.ConstructorArguments.FirstOrDefault().Value as string ?? "";
        var spot = attribute.ApplicationSyntaxReference is { } r ? SourceSpot.From(r.GetSyntax()) : where;

        string? problem = null;
        var tensors = arguments.Count(a => a.Kind == ArgumentKind.Tensor);
        var candidates = method.ContainingType.GetMembers(name).OfType<IMethodSymbol>().ToList();
        if (!method.IsStatic) problem = "custom gradients are supported on static methods";
        else if (tensors != arguments.Count) problem = "a method with a custom gradient takes only Tensor arguments";
        else if (candidates.Count == 0) problem = $"no method '{name}' in {method.ContainingType.Name}";
        else
        {
            var backward = candidates[0];
            if (!backward.IsStatic) problem = "the backward method must be static";
            else if (backward.Parameters.Length != tensors + 1 || backward.Parameters.Any(p => !p.Type.Is(KnownTypes.Tensor)))
                problem = $"the backward method must take {tensors + 1} Tensor arguments (the inputs, then the upstream gradient)";
            else if (!ReturnsGradients(backward.ReturnType, tensors))
                problem = tensors == 1 ? "the backward method must return a Tensor" : $"the backward method must return a tuple of {tensors} Tensors";
        }
        if (problem is null) return new CustomGradientSpec(name);
        diagnostics.Add(new DiagnosticInfo(Diagnostics.BadCustomGradient, spot, name, method.Name, problem));
        return null;
    }

    private static bool ReturnsGradients(ITypeSymbol type, int count)
    {
        if (count == 1) return type.Is(KnownTypes.Tensor);
        return type is INamedTypeSymbol { IsTupleType: true } tuple && tuple.TupleElements.Length == count
            && tuple.TupleElements.All(e => e.Type.Is(KnownTypes.Tensor));
    }
}
