using System.Text.RegularExpressions;
using Differentiable.Fuzz.Cases;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Fuzz.Runner;

/// <summary>
/// Puts case n of a batch into namespace Fuzz.Case{n} (file paths Case{n}.cs, Case{n}.dep{k}.cs), so many cases
/// share one compilation without clashing, and every diagnostic and generated file names the case it came from.
/// </summary>
public static partial class CaseTrees
{
    public static IEnumerable<SyntaxTree> Make(FuzzCase c, int n) =>
        c.Files.Select((text, k) => CSharpSyntaxTree.ParseText(Namespaced(text, n), GeneratorHost.ParseOptions, k == 0 ? $"Case{n}.cs" : $"Case{n}.dep{k}.cs"));

    /// <summary>The case number a file path or generated hint name belongs to, or null.</summary>
    public static int? CaseOf(string? pathOrHint)
    {
        if (pathOrHint is null) return null;
        var match = CaseNumber().Match(pathOrHint);
        return match.Success ? int.Parse(match.Groups[1].Value) : null;
    }

    public static string Namespaced(string text, int n)
    {
        var root = (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(text, GeneratorHost.ParseOptions).GetRoot();
        var namespaces = root.Members.OfType<BaseNamespaceDeclarationSyntax>().ToList();
        if (namespaces.Count == 0)
        {
            var at = root.Usings.Count > 0 ? root.Usings.Last().FullSpan.End : 0;
            return text[..at] + $"namespace Fuzz.Case{n};\n" + text[at..];
        }
        // The samples' "Differentiable.X" loses its first part: inside Fuzz.CaseN.Differentiable, "Differentiable." would not mean the runtime.
        foreach (var ns in namespaces.OrderByDescending(x => x.Name.SpanStart))
        {
            var name = ns.Name.ToString();
            var rest = name.StartsWith("Differentiable.", StringComparison.Ordinal) ? name["Differentiable.".Length..] : name;
            text = text[..ns.Name.SpanStart] + $"Fuzz.Case{n}.{rest}" + text[ns.Name.Span.End..];
        }
        return text;
    }

    [GeneratedRegex(@"\bCase(\d+)\b")]
    private static partial Regex CaseNumber();
}
