using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Differentiable.Generator.Model;

/// <summary>
/// Where something is in the user's source, as plain values: a Roslyn <see cref="Location"/> holds a syntax
/// tree and would keep whole compilations alive in the incremental cache.
/// </summary>
internal readonly record struct SourceSpot(string FilePath, TextSpan Span, LinePositionSpan Lines)
{
    /// <summary>The node's span and lines, as its location would give them, without making the location (the parser takes one per expression).</summary>
    public static SourceSpot From(SyntaxNode node)
    {
        var span = node.Span;
        var line = node.SyntaxTree.GetLineSpan(span);
        return new SourceSpot(line.Path ?? "", span, line.Span);
    }

    public static SourceSpot From(Location location)
    {
        var line = location.GetLineSpan();
        return new SourceSpot(line.Path ?? "", location.SourceSpan, line.Span);
    }

    public Location ToLocation() => Location.Create(FilePath, Span, Lines);
}

/// <summary>A diagnostic to report, as plain values (see <see cref="SourceSpot"/>).</summary>
internal sealed record DiagnosticInfo(string Id, SourceSpot Where, EquatableArray<string> Arguments)
{
    public DiagnosticInfo(DiagnosticDescriptor descriptor, SourceSpot where, params string[] arguments)
        : this(descriptor.Id, where, new EquatableArray<string>(arguments))
    {
    }

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(Diagnostics.ById(Id), Where.ToLocation(), System.Linq.Enumerable.ToArray<object>(Arguments));
}
