using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Differentiable.Generator.Parsing;

/// <summary>Describes a model class: where it lives and which trainable tensors it owns, sub-modules included.</summary>
internal static class ClassParser
{
    public static ClassSpec Parse(INamedTypeSymbol type)
    {
        var paths = new List<string>();
        CollectParameterPaths(type, "", paths, new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default));
        var members = type.GetMembers().Select(m => m.Name).Distinct().OrderBy(n => n, System.StringComparer.Ordinal);
        var ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        return new ClassSpec(ns, KnownTypes.Identifier(type.Name), type.FullName(), type.IsStatic, new EquatableArray<string>(paths), new EquatableArray<string>(members));
    }

    /// <summary>[Parameter] tensors by dotted path, in declaration order; fields holding sub-modules are walked into.</summary>
    private static void CollectParameterPaths(INamedTypeSymbol type, string prefix, List<string> paths, HashSet<INamedTypeSymbol> visiting)
    {
        if (!visiting.Add(type)) return;
        foreach (var member in type.GetMembers())
        {
            if (member.IsStatic || member.IsImplicitlyDeclared) continue;
            var memberType = (member as IFieldSymbol)?.Type ?? (member as IPropertySymbol)?.Type;
            if (memberType is null) continue;
            if (member.HasAttribute(KnownTypes.ParameterAttribute) && memberType.Is(KnownTypes.Tensor))
                paths.Add(prefix + member.Name);
            else if (memberType is INamedTypeSymbol { TypeKind: TypeKind.Class } sub && IsModule(sub))
                CollectParameterPaths(sub, prefix + member.Name + ".", paths, visiting);
        }
        visiting.Remove(type);
    }

    /// <summary>A sub-module is a class that owns [Parameter] tensors (directly or further down).</summary>
    public static bool IsModule(INamedTypeSymbol type) =>
        type.GetMembers().Any(m => m.HasAttribute(KnownTypes.ParameterAttribute)) ||
        type.GetMembers().OfType<IFieldSymbol>().Any(f => !f.IsStatic && f.Type is INamedTypeSymbol { TypeKind: TypeKind.Class } t
            && !SymbolEqualityComparer.Default.Equals(t, type) && t.GetMembers().Any(m => m.HasAttribute(KnownTypes.ParameterAttribute)));
}
