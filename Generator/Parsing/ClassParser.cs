using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Generator.Parsing;

/// <summary>Describes a model class: where it lives and which trainable tensors it owns, sub-modules and lists of them included.</summary>
internal static class ClassParser
{
    /// <summary>
    /// Each class once per compilation (its symbol's lifetime), however many of its methods are parsed: it lists every
    /// member of the class, so parsing it per method made a class of n methods cost n² (the 200-method chain spent a
    /// fifth of its generation time here).
    /// </summary>
    private static readonly ConditionalWeakTable<INamedTypeSymbol, ClassSpec> Parsed = new();

    /// <param name="compilation">The compilation <paramref name="type"/> is from: it says which sub-module members the class can read.</param>
    public static ClassSpec Parse(INamedTypeSymbol type, Compilation compilation) => Parsed.GetValue(type, t => ParseOnce(t, compilation));

    private static ClassSpec ParseOnce(INamedTypeSymbol type, Compilation compilation)
    {
        var paths = new List<string>();
        var lists = new List<ModuleListSpec>();
        var walk = new Walk(type, compilation);
        CollectParameterPaths(type, "", paths, lists, new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default), insideList: false, walk);
        var members = type.GetMembers().Select(m => m.Name).Distinct().OrderBy(n => n, System.StringComparer.Ordinal);
        var ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        return new ClassSpec(ns, KnownTypes.Identifier(type.Name), type.FullName(), type.IsStatic, new EquatableArray<string>(paths), new EquatableArray<string>(members),
            new EquatableArray<ModuleListSpec>(lists), walk.Inaccessible);
    }

    /// <summary>The class whose parameters are collected, and the first member on the way that it cannot read.</summary>
    private sealed class Walk
    {
        private readonly INamedTypeSymbol _root;
        private readonly Compilation _compilation;

        public Walk(INamedTypeSymbol root, Compilation compilation) => (_root, _compilation) = (root, compilation);

        public InaccessibleMember? Inaccessible { get; private set; }

        /// <summary>Whether the class can read <paramref name="member"/>, at <paramref name="path"/>; notes the first it cannot.</summary>
        public bool CanRead(ISymbol member, string path)
        {
            if (_compilation.IsSymbolAccessibleWithin(member, _root)) return true;
            var where = member.Locations.FirstOrDefault(l => l.IsInSource);
            Inaccessible ??= new InaccessibleMember(path, member.Name, SyntaxFacts.GetText(member.DeclaredAccessibility), member.ContainingType.Name,
                where is null ? null : SourceSpot.From(where));
            return false;
        }
    }

    /// <summary>
    /// [Parameter] tensors by dotted path, in declaration order; fields holding sub-modules are walked into, and a list of
    /// sub-modules (an array or list field) contributes its element's paths under <c>List.*.</c> (one per element at run
    /// time: <c>List.0.W</c>, <c>List.1.W</c>, ...). Lists inside list elements are not walked.
    /// </summary>
    private static void CollectParameterPaths(INamedTypeSymbol type, string prefix, List<string> paths, List<ModuleListSpec> lists,
        HashSet<INamedTypeSymbol> visiting, bool insideList, Walk walk)
    {
        if (!visiting.Add(type)) return;
        foreach (var member in type.GetMembers())
        {
            if (member.IsStatic || member.IsImplicitlyDeclared) continue;
            var memberType = (member as IFieldSymbol)?.Type ?? (member as IPropertySymbol)?.Type;
            if (memberType is null) continue;
            if (member.HasAttribute(KnownTypes.ParameterAttribute) && memberType.Is(KnownTypes.Tensor))
            {
                if (walk.CanRead(member, prefix + member.Name)) paths.Add(prefix + member.Name);
            }
            else if (memberType is INamedTypeSymbol { TypeKind: TypeKind.Class } sub && IsModule(sub))
            {
                if (walk.CanRead(member, prefix + member.Name))
                    CollectParameterPaths(sub, prefix + member.Name + ".", paths, lists, visiting, insideList, walk);
            }
            else if (!insideList && ModuleList(memberType, out var element, out var count))
            {
                if (!walk.CanRead(member, prefix + member.Name)) continue;
                lists.Add(new ModuleListSpec(prefix + member.Name, count));
                CollectParameterPaths(element, prefix + member.Name + "." + ParameterPath.Each + ".", paths, lists, visiting, insideList: true, walk);
            }
        }
        visiting.Remove(type);
    }

    /// <summary>A sub-module is a class that owns [Parameter] tensors (directly or further down).</summary>
    public static bool IsModule(INamedTypeSymbol type) =>
        type.GetMembers().Any(m => m.HasAttribute(KnownTypes.ParameterAttribute)) ||
        type.GetMembers().OfType<IFieldSymbol>().Any(f => !f.IsStatic && f.Type is INamedTypeSymbol { TypeKind: TypeKind.Class } t
            && !SymbolEqualityComparer.Default.Equals(t, type) && t.GetMembers().Any(m => m.HasAttribute(KnownTypes.ParameterAttribute)));

    /// <summary>
    /// A list of sub-modules: <c>T[]</c>, <c>List&lt;T&gt;</c>, <c>IList&lt;T&gt;</c> or <c>IReadOnlyList&lt;T&gt;</c> of a module
    /// class T, counted by <paramref name="countMember"/> (<c>Length</c> or <c>Count</c>).
    /// </summary>
    public static bool ModuleList(ITypeSymbol? type, out INamedTypeSymbol element, out string countMember)
    {
        element = null!;
        countMember = "";
        switch (type)
        {
            case IArrayTypeSymbol { Rank: 1, ElementType: INamedTypeSymbol { TypeKind: TypeKind.Class } item } when IsModule(item):
                element = item;
                countMember = "Length";
                return true;
            case INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } generic
                when generic.TypeArguments[0] is INamedTypeSymbol { TypeKind: TypeKind.Class } item && IsModule(item)
                     && generic.ConstructedFrom.ToDisplayString() is "System.Collections.Generic.List<T>" or "System.Collections.Generic.IList<T>"
                         or "System.Collections.Generic.IReadOnlyList<T>":
                element = item;
                countMember = "Count";
                return true;
        }
        return false;
    }
}
