using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// What binding one method's body depends on outside that body: the compilation's options and references, and every
/// file's text except the bodies of methods, constructors, operators and accessors. A body binds against declarations,
/// never against another body, so when two compilations have the same shape, a method in a file that did not change
/// parses the same in both: an edit inside a body (a keystroke in the IDE) re-parses that file's methods only, not
/// every [Differentiable] method of the project. Anything else (a signature, a field, a using, an option) changes the
/// shape and every method is parsed again. A body holding a preprocessor directive counts as declarations (a
/// <c>#nullable</c> there reaches past it).
/// </summary>
internal sealed class CompilationShape : IEquatable<CompilationShape>
{
    /// <summary>Each tree's shape, computed once per tree (trees are immutable; an edit makes a new one).</summary>
    private static readonly ConditionalWeakTable<SyntaxTree, string> Shapes = new();

    private readonly WeakReference<Compilation> _compilation;
    private readonly string _assemblyName;
    private readonly string _options;
    private readonly MetadataReference[] _references;
    private readonly (string Path, ParseOptions Options, string Shape)[] _trees;

    private CompilationShape(Compilation compilation, CancellationToken cancellation)
    {
        _compilation = new WeakReference<Compilation>(compilation);
        _assemblyName = compilation.AssemblyName ?? "";
        _options = OptionsKey(compilation.Options);
        _references = compilation.References.ToArray();
        _trees = compilation.SyntaxTrees.Select(t => (t.FilePath, t.Options, ShapeOf(t, cancellation))).ToArray();
    }

    public static CompilationShape Of(Compilation compilation, CancellationToken cancellation) => new(compilation, cancellation);

    /// <summary>The compilation this shape was taken of, while something else keeps it alive (the driver does, during the run that took it).</summary>
    public Compilation? Compilation => _compilation.TryGetTarget(out var compilation) ? compilation : null;

    public bool Equals(CompilationShape? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (_assemblyName != other._assemblyName || _options != other._options) return false;
        if (_references.Length != other._references.Length || _trees.Length != other._trees.Length) return false;
        for (var i = 0; i < _references.Length; i++)
            if (!ReferenceEquals(_references[i], other._references[i])) return false;
        for (var i = 0; i < _trees.Length; i++)
            if (_trees[i].Path != other._trees[i].Path || !_trees[i].Options.Equals(other._trees[i].Options) || _trees[i].Shape != other._trees[i].Shape)
                return false;
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as CompilationShape);

    /// <summary>
    /// The options that change how a body binds, as text. Not <c>CompilationOptions.Equals</c>: it compares the
    /// options' resolvers with their own <c>Equals</c>, and the command-line compiler's metadata resolver throws
    /// <see cref="NotImplementedException"/> there. Two builds in the compiler server with the generator cache
    /// (<c>/features:enable-generator-cache</c>) compare two such options, and the exception failed the generator
    /// (CS8785: every generated member missing) on the second build after an edit.
    /// </summary>
    private static string OptionsKey(CompilationOptions options)
    {
        var key = new StringBuilder()
            .Append(options.Language).Append('|').Append(options.OutputKind).Append('|').Append(options.CheckOverflow).Append('|')
            .Append(options.OptimizationLevel).Append('|').Append(options.Platform).Append('|').Append(options.MetadataImportOptions).Append('|')
            .Append(options.NullableContextOptions).Append('|').Append(options.ScriptClassName).Append('|').Append(options.ModuleName);
        if (options is Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions csharp)
        {
            key.Append('|').Append(csharp.AllowUnsafe);
            foreach (var use in csharp.Usings) key.Append('|').Append(use);
        }
        return key.ToString();
    }

    public override int GetHashCode() => _trees.Length * 31 + _references.Length;

    private static string ShapeOf(SyntaxTree tree, CancellationToken cancellation)
    {
        if (Shapes.TryGetValue(tree, out var known)) return known;
        var shape = new StringBuilder();
        // Tokens with their trivia (comments and directives included), walked without descending into bodies: the walk
        // is as long as the file's declarations, whatever its bodies hold.
        foreach (var item in tree.GetRoot(cancellation).DescendantNodesAndTokens(n => !IsBody(n)))
        {
            if (item.IsToken) shape.Append(item.AsToken().ToFullString());
            else if (IsBody(item.AsNode()!)) shape.Append('\u0001');
        }
        var text = shape.ToString();
        try
        {
            Shapes.Add(tree, text);
        }
        catch (ArgumentException)
        {
            // Another thread computed it first: the same text.
        }
        return text;
    }

    /// <summary>A member's body whose text no other member's binding reads.</summary>
    private static bool IsBody(SyntaxNode node) =>
        node is BlockSyntax or ArrowExpressionClauseSyntax
        && node.Parent is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax
        && !node.ContainsDirectives;
}
