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

    public static bool Is(this ITypeSymbol? type, string fullName) => type is not null && type.FullName() == fullName;

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
