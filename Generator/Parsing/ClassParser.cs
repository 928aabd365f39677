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

    /// <param name="compilation">The compilation <paramref name="type"/> is from: it says which members the class can read and assign.</param>
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
            new EquatableArray<ModuleListSpec>(lists), walk.Unusable);
    }

    /// <summary>
    /// The class whose parameters are collected, and the first member on the way that it cannot use: the generated
    /// <c>Parameters()</c> reads every member on a parameter's path and assigns the parameter itself (a checkpoint load
    /// or a conversion to float64 replaces it), so each must be accessible from the class, and a parameter assignable.
    /// </summary>
    private sealed class Walk
    {
        private readonly INamedTypeSymbol _root;
        private readonly Compilation _compilation;

        public Walk(INamedTypeSymbol root, Compilation compilation) => (_root, _compilation) = (root, compilation);

        public UnusableParameter? Unusable { get; private set; }

        /// <summary>Whether the class can read <paramref name="member"/> (at <paramref name="path"/>), and assign it when <paramref name="assigned"/>; notes the first it cannot.</summary>
        public bool CanUse(ISymbol member, string path, bool assigned)
        {
            var (why, fix) = Problem(member, assigned);
            if (why is null) return true;
            var where = member.Locations.FirstOrDefault(l => l.IsInSource);
            Unusable ??= new UnusableParameter(path, why, fix!, where is null ? null : SourceSpot.From(where));
            return false;
        }

        private (string? Why, string? Fix) Problem(ISymbol member, bool assigned)
        {
            if (!Accessible(member))
                return ($"is {SyntaxFacts.GetText(member.DeclaredAccessibility)} in '{member.ContainingType.Name}'", $"make '{member.Name}' public or internal");
            if (member is IFieldSymbol { IsReadOnly: true } && assigned)
                return ("is a readonly field", "remove 'readonly'");
            if (member is not IPropertySymbol property) return (null, null);
            if (property.GetMethod is null || !Accessible(property.GetMethod))
                return ("has no get accessor the class can call", "give it a public or internal get accessor");
            if (!assigned) return (null, null);
            if (property.SetMethod is null) return ("has no set accessor", "declare it '{ get; set; }'");
            if (property.SetMethod.IsInitOnly) return ("has an init-only set accessor", "use 'set' instead of 'init'");
            if (!Accessible(property.SetMethod))
                return ($"has a {SyntaxFacts.GetText(property.SetMethod.DeclaredAccessibility)} set accessor", "make the set accessor public or internal");
            return (null, null);
        }

        private bool Accessible(ISymbol symbol) => _compilation.IsSymbolAccessibleWithin(symbol, _root);
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
                if (walk.CanUse(member, prefix + member.Name, assigned: true)) paths.Add(prefix + member.Name);
            }
            else if (memberType is INamedTypeSymbol { TypeKind: TypeKind.Class } sub && IsModule(sub))
            {
                if (walk.CanUse(member, prefix + member.Name, assigned: false))
                    CollectParameterPaths(sub, prefix + member.Name + ".", paths, lists, visiting, insideList, walk);
            }
            else if (!insideList && ModuleList(memberType, out var element, out var count))
            {
                if (!walk.CanUse(member, prefix + member.Name, assigned: false)) continue;
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
