using Microsoft.CodeAnalysis;

namespace Differentiable.Generator.Parsing;

/// <summary>The runtime's types and attributes, recognised by full name.</summary>
internal static class KnownTypes
{
    public const string DifferentiableAttribute = "Differentiable.DifferentiableAttribute";
    public const string ParameterAttribute = "Differentiable.ParameterAttribute";
    public const string WrtAttribute = "Differentiable.WrtAttribute";
    public const string CustomGradientAttribute = "Differentiable.CustomGradientAttribute";
    public const string PullbackAttribute = "Differentiable.DifferentiablePullbackAttribute";
    public const string Tensor = "Differentiable.Tensor";
    public const string Labels = "Differentiable.Labels";
    public const string Ops = "Differentiable.Ops";

    public static string FullName(this ITypeSymbol type) =>
        type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");

    /// <summary>
    /// Whether the type is the one named: for a plain named type, its name and each containing namespace compared in
    /// place (no display string: this runs for every type the parser looks at, on every keystroke); else by full name.
    /// </summary>
    public static bool Is(this ITypeSymbol? type, string fullName)
    {
        if (type is null) return false;
        if (type is not INamedTypeSymbol { IsGenericType: false, ContainingType: null } named) return type.FullName() == fullName;
        var end = fullName.Length;
        for (ISymbol symbol = named; ; symbol = symbol.ContainingNamespace)
        {
            var name = symbol.Name;
            var start = end - name.Length;
            if (start < 0 || string.CompareOrdinal(fullName, start, name, 0, name.Length) != 0) return false;
            var parent = symbol.ContainingNamespace;
            if (parent is null || parent.IsGlobalNamespace) return start == 0;
            if (start == 0 || fullName[start - 1] != '.') return false;
            end = start - 1;
        }
    }

    public static bool HasAttribute(this ISymbol symbol, string fullName)
    {
        foreach (var attribute in symbol.GetAttributes())
            if (attribute.AttributeClass.Is(fullName)) return true;
        return false;
    }

    public static bool IsNumber(this ITypeSymbol? type) => type?.SpecialType is
        SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Int32 or SpecialType.System_Int64;

    /// <summary>A name as C# source must spell it: keywords get '@' (a namespace, class or argument named 'class').</summary>
    public static string Identifier(string name) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;

    public static bool IsInteger(this ITypeSymbol? type) => type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64;
}
