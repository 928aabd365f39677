using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Calls;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// A [Differentiable] method compiled in another assembly, read from metadata alone (as Swift reads a module's
/// differentiability witnesses): its arguments from its own signature; the parameters it reaches, and that it can be
/// called at all, from the public <c>{M}Vjp</c> its assembly's generator marked <c>[DifferentiablePullback]</c>.
/// </summary>
internal static class ExternalCallee
{
    /// <summary>The callee's signature, or null and what the user can do about it.</summary>
    public static CalleeSignature? Read(IMethodSymbol callee, out string why)
    {
        var type = callee.ContainingType;
        var assembly = callee.ContainingAssembly?.Name ?? "another assembly";
        why = "";
        if (!callee.ReturnType.Is(KnownTypes.Tensor))
        {
            why = $"it is declared in {assembly} and does not return a Tensor";
            return null;
        }
        var arguments = new List<ArgumentSpec>();
        foreach (var parameter in callee.Parameters)
        {
            var kind = MethodParser.KindOf(parameter.Type);
            if (kind is null || parameter.RefKind != RefKind.None)
            {
                why = $"it is declared in {assembly}, and its argument '{parameter.Name}' of type '{parameter.Type.ToDisplayString()}' is not a Tensor, Labels or a number";
                return null;
            }
            var wrt = kind == ArgumentKind.Tensor && (callee.IsStatic || parameter.HasAttribute(KnownTypes.WrtAttribute));
            arguments.Add(new ArgumentSpec(KnownTypes.Identifier(parameter.Name), kind.Value, parameter.Type.ToDisplayString(), wrt));
        }
        var key = type.FullName() + "." + callee.Name;

        // A hand-written backward is called as written: the forward and the backward are the library's own public methods.
        var custom = callee.GetAttributes().FirstOrDefault(a => a.AttributeClass.Is(KnownTypes.CustomGradientAttribute));
        if (custom is not null)
        {
            var backward = custom.ConstructorArguments.FirstOrDefault().Value as string ?? "";
            if (!type.GetMembers(backward).OfType<IMethodSymbol>().Any(m => m.IsStatic && m.DeclaredAccessibility == Accessibility.Public))
            {
                why = $"its custom gradient '{backward}' in {assembly} is not a public static method of {type.Name}; make it public";
                return null;
            }
            return new CalleeSignature(key, callee.Name, type.FullName(), callee.IsStatic, new EquatableArray<ArgumentSpec>(arguments), backward,
                IsValid: true, EquatableArray<string>.Empty, assembly);
        }

        var vjp = Pullback(type, callee.Name, "Vjp");
        if (vjp is null)
        {
            why = $"it is [Differentiable] in {assembly}, which exports no pullback for it (a public {callee.Name}Vjp marked [DifferentiablePullback]): "
                + $"build {assembly} with the Differentiable generator, with {callee.Name} and {type.Name} public";
            return null;
        }
        var reached = new List<string>();
        var marker = vjp.GetAttributes().First(a => IsMarkerOf(a, callee.Name));
        if (marker.ConstructorArguments.Length > 1 && marker.ConstructorArguments[1].Kind == TypedConstantKind.Array)
            reached.AddRange(marker.ConstructorArguments[1].Values.Select(v => v.Value as string).Where(v => !string.IsNullOrEmpty(v))!);
        return new CalleeSignature(key, callee.Name, type.FullName(), callee.IsStatic, new EquatableArray<ArgumentSpec>(arguments), null,
            IsValid: true, new EquatableArray<string>(reached), assembly, HasParametersOnly: Pullback(type, callee.Name, "VjpParametersOnly") is not null);
    }

    private static IMethodSymbol? Pullback(INamedTypeSymbol type, string method, string suffix) =>
        type.GetMembers(method + suffix).OfType<IMethodSymbol>()
            .FirstOrDefault(m => m.DeclaredAccessibility == Accessibility.Public && m.GetAttributes().Any(a => IsMarkerOf(a, method)));

    private static bool IsMarkerOf(AttributeData attribute, string method) =>
        attribute.AttributeClass.Is(KnownTypes.PullbackAttribute) && attribute.ConstructorArguments.FirstOrDefault().Value as string == method;
}
