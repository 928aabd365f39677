using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Differentiable.Inspection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Samples.Inspection;

/// <summary>What choosing a node highlights: its lines of generated code (forward or adjoint), the rule lines that go with it, its source statement.</summary>
/// <param name="Code">The generated lines that compute the node: a forward node's statement, an adjoint's rule comments and assignments; a leaf's first reader.</param>
/// <param name="Related">The other half: for a forward node the backward rules it gives (comment and code), for an adjoint the forward statements its rules differentiate.</param>
/// <param name="Source">The lines of the method's source that the node comes from.</param>
internal sealed record NodeLines(IReadOnlyList<int> Code, IReadOnlyList<int> Related, IReadOnlyList<int> Source);

/// <summary>
/// <c>show --html</c>: one self-contained page (inline CSS, script and SVG; nothing fetched) with the method's source, the
/// generated C# with its math comments and syntax colours, and the graph picture of <see cref="GraphSvg"/>. Choosing a
/// node (a click, or the address <c>page.html#node=forward:h1</c>) highlights its forward line and its backward rule in
/// the code, and its source statement.
/// </summary>
internal static class GraphHtml
{
    public static void Save(GradientInspection inspection, Type model, string path) => File.WriteAllText(path, Write(inspection, model));

    public static string Write(GradientInspection inspection, Type model)
    {
        var codeLines = inspection.CSharp.TrimEnd('\n').Split('\n');
        var source = SourceLines(inspection, model);
        var lines = NodeMap(inspection, codeLines, source);
        var title = $"{inspection.Model}.{inspection.Method} and its gradient";
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(Encode(title)).Append("</title>\n<style>\n")
            .Append(Css).Append("</style>\n</head>\n<body>\n");
        page.Append("<header><h1>").Append(Encode(title)).Append("</h1><p id=\"hint\">Click a node of the graph to see its code; the address <code>#node=forward:NAME</code> or <code>#node=backward:d_NAME</code> chooses one too.</p>")
            .Append("<p id=\"chosen\"></p></header>\n<main>\n<section id=\"code\">\n<div id=\"method\"><h2>The method</h2>\n<pre class=\"code\" id=\"source\">");
        for (var i = 0; i < source.Count; i++)
            page.Append("<span class=\"line\" id=\"S").Append(i + 1).Append("\">").Append(Highlight(source[i].Text)).Append("</span>");
        page.Append("</pre></div>\n<h2>The generated C#</h2>\n<div id=\"scroll\"><pre class=\"code\" id=\"generated\">");
        var highlighted = HighlightLines(inspection.CSharp.TrimEnd('\n'));
        for (var i = 0; i < highlighted.Count; i++)
            page.Append("<span class=\"line\" id=\"L").Append(i + 1).Append("\"><span class=\"no\">").Append(i + 1).Append("</span>").Append(highlighted[i]).Append("</span>");
        page.Append("</pre></div>\n</section>\n<section id=\"graph\">\n");
        page.Append(inspection.HasGraph ? SvgElement(inspection) : "<p>This method has control flow (if/while/for): it is differentiated statement by statement and has no single graph.</p>");
        page.Append("\n</section>\n</main>\n<script>\nconst NODES = ").Append(JsonSerializer.Serialize(lines.ToDictionary(p => p.Key, p => new
        {
            code = p.Value.Code.Select(n => "L" + n), related = p.Value.Related.Select(n => "L" + n), source = p.Value.Source.Select(n => "S" + n),
        }))).Append(";\n").Append(Script).Append("</script>\n</body>\n</html>\n");
        return page.ToString();
    }

    /// <summary>The graph picture without its XML declaration, for inlining in HTML.</summary>
    private static string SvgElement(GradientInspection inspection)
    {
        var svg = GraphSvg.Write(inspection);
        return svg[svg.IndexOf("<svg", StringComparison.Ordinal)..].TrimEnd();
    }

    /// <summary>
    /// The method as the generator saw it: its signature (by reflection) and its statements (each node records the one it
    /// comes from), in order. The generator does not keep the source text itself; the statements are its, exactly.
    /// </summary>
    public static IReadOnlyList<(string Text, string? Statement)> SourceLines(GradientInspection inspection, Type model)
    {
        var method = model.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .FirstOrDefault(m => m.Name == inspection.Method && m.IsDefined(typeof(DifferentiableAttribute), false));
        var signature = method is null ? $"{inspection.Method}(...)"
            : $"{(method.IsPublic ? "public " : "")}{(method.IsStatic ? "static " : "")}{TypeName(method.ReturnType)} {method.Name}({string.Join(", ", method.GetParameters().Select(p => $"{TypeName(p.ParameterType)} {p.Name}"))})";
        var lines = new List<(string, string?)> { ("[Differentiable]", null), (signature, null), ("{", null) };
        foreach (var statement in inspection.Forward.Concat(inspection.Backward).Select(n => n.Statement).OfType<string>().Distinct())
            foreach (var line in statement.Split('\n'))
                lines.Add(("    " + line.TrimEnd(), statement));
        if (lines.Count == 3) lines.Add(("    // (a body with control flow: its statements are in the generated code)", null));
        lines.Add(("}", null));
        return lines;
    }

    private static string TypeName(Type type) => type switch
    {
        _ when type == typeof(void) => "void",
        _ when type == typeof(int) => "int",
        _ when type == typeof(float) => "float",
        _ when type == typeof(double) => "double",
        _ when type == typeof(bool) => "bool",
        _ when Nullable.GetUnderlyingType(type) is { } inner => TypeName(inner) + "?",
        _ when type.IsArray => TypeName(type.GetElementType()!) + "[]",
        _ when type.IsGenericType => type.Name[..type.Name.IndexOf('`')] + "<" + string.Join(", ", type.GetGenericArguments().Select(TypeName)) + ">",
        _ => type.Name,
    };

    /// <summary>
    /// For each node of both graphs (keyed as the SVG's ids, <c>forward:h1</c>, <c>backward:d_h1</c>), the 1-based lines
    /// that compute it. The generated code holds the same forward and backward more than once (the pullback for callers
    /// that want the parameters' gradients only, and the one that wants the inputs' too); the first is the one shown.
    /// </summary>
    public static IReadOnlyDictionary<string, NodeLines> NodeMap(GradientInspection inspection, IReadOnlyList<string> code, IReadOnlyList<(string Text, string? Statement)> source)
    {
        var (start, end) = FirstForwardAndBackward(code);
        var map = new Dictionary<string, NodeLines>();
        List<int> Where(Func<string, bool> match, int from, int to)
        {
            var found = new List<int>();
            for (var i = from; i < to; i++) if (match(code[i])) found.Add(i + 1);
            return found;
        }
        List<int> Assignments(string name, int from, int to) =>
            Where(l => Regex.IsMatch(l, $@"^\s*(var\s+)?(\(.*\b)?{Regex.Escape(name)}\b(.*\))?\s*(=|\+=)[^=]"), from, to);
        // A node's statement; an input's is the signature that names it (line 2, after [Differentiable]).
        List<int> SourceOf(GraphNode node) => node.Kind == "input" && source.Count > 1 && Regex.IsMatch(source[1].Text, $@"\b{Regex.Escape(node.Name)}\b")
            ? new List<int> { 2 }
            : Enumerable.Range(0, source.Count).Where(i => node.Statement is not null && source[i].Statement == node.Statement).Select(i => i + 1).ToList();
        // A rule comment "// v = ...  ⇒  d_u = ..." and the code line after it (the assignment of d_u).
        List<int> RulesOf(Func<string, bool> match)
        {
            var found = new List<int>();
            for (var i = start; i < end; i++)
                if (code[i].TrimStart().StartsWith("// ", StringComparison.Ordinal) && code[i].Contains('⇒') && match(code[i].TrimStart()[3..]))
                {
                    found.Add(i + 1);
                    if (i + 1 < end && !code[i + 1].TrimStart().StartsWith("//", StringComparison.Ordinal)) found.Add(i + 2);
                }
            return found;
        }

        var forwardNames = inspection.Forward.Select(n => n.Name).ToHashSet();
        // The forward node a rule's left side belongs to: itself, or the node whose unnamed part it is (loss_mean of loss).
        string? Owner(string lhs) => forwardNames.Contains(lhs) ? lhs
            : forwardNames.Where(n => lhs.StartsWith(n + "_", StringComparison.Ordinal)).MaxBy(n => n.Length);
        var backwardStart = Enumerable.Range(start, end - start).FirstOrDefault(i => code[i].Contains("// Backward", StringComparison.Ordinal), end);
        foreach (var node in inspection.Forward)
        {
            var defining = Assignments(node.Name, start, backwardStart).Take(1).ToList();
            // A leaf (input, parameter, constant): the first forward line that reads it, or its module (L1 of L1.W, read by
            // L1.Forward(x)); one read only inside a call (this.W1 by Forward(x)) has its gradient's line instead.
            List<int> Reads(string pattern, int to) =>
                Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal) && Regex.IsMatch(l, pattern), start, to).Take(1).ToList();
            if (defining.Count == 0) defining = Reads($@"\b{Regex.Escape(node.Name)}\b", backwardStart);
            if (defining.Count == 0 && node.Name.Contains('.')) defining = Reads($@"\b{Regex.Escape(node.Name[..node.Name.IndexOf('.')])}\.", backwardStart);
            if (defining.Count == 0) defining = Assignments("d_" + node.Name.Replace('.', '_'), backwardStart, end).Take(1).ToList();
            if (defining.Count == 0) defining = Reads($@"\b{Regex.Escape(node.Name)}\b", end);
            // The rules of v, and of the unnamed parts of its expression (h1_add in h1 = relu(h1_matmul + B1)), not of another node.
            var rules = RulesOf(rule => Owner(rule.Split(" = ")[0]) == node.Name);
            map["forward:" + node.Name] = new NodeLines(defining, rules, SourceOf(node));
        }
        foreach (var node in inspection.Backward)
        {
            var own = RulesOf(rule => rule.Contains("⇒  " + node.Name + " ", StringComparison.Ordinal))
                .Concat(Assignments(node.Name, backwardStart, end)).Distinct().Order().ToList();
            var differentiated = (node.Rule ?? "").Split('\n').Select(r => Owner(r.Split(" = ")[0].Trim())).OfType<string>()
                .SelectMany(v => Assignments(v, start, backwardStart).Take(1)).Distinct().Order().ToList();
            map["backward:" + node.Name] = new NodeLines(own, differentiated, SourceOf(node));
        }
        return map;
    }

    /// <summary>The lines (0-based, end exclusive) of the first generated method with a "// Forward" section, its backward included.</summary>
    private static (int Start, int End) FirstForwardAndBackward(IReadOnlyList<string> code)
    {
        var start = Enumerable.Range(0, code.Count).FirstOrDefault(i => code[i].Trim() == "// Forward", -1);
        if (start < 0) return (0, code.Count);
        var end = Enumerable.Range(start, code.Count - start).FirstOrDefault(i => code[i] == "}", code.Count - 1) + 1;
        return (start, end);
    }

    /// <summary>The code's lines as HTML with syntax-colour spans (Roslyn's lexer, as <see cref="CodeHighlighter"/>), no span crossing a line break.</summary>
    public static IReadOnlyList<string> HighlightLines(string code)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        void Add(string text, string? style)
        {
            var parts = text.Split('\n');
            for (var k = 0; k < parts.Length; k++)
            {
                if (k > 0)
                {
                    lines.Add(line.ToString());
                    line.Clear();
                }
                var part = parts[k].TrimEnd('\r');
                if (part.Length == 0) continue;
                line.Append(style is null ? Encode(part) : $"<span class=\"{style}\">{Encode(part)}</span>");
            }
        }
        foreach (var token in SyntaxFactory.ParseTokens(code))
        {
            foreach (var trivia in token.LeadingTrivia) Add(trivia.ToFullString(), Style(trivia));
            Add(token.Text, Style(token));
            foreach (var trivia in token.TrailingTrivia) Add(trivia.ToFullString(), Style(trivia));
        }
        lines.Add(line.ToString());
        return lines;
    }

    private static string Highlight(string line) => string.Concat(HighlightLines(line));

    private static string? Style(SyntaxToken token) => token.Kind() switch
    {
        _ when SyntaxFacts.IsKeywordKind(token.Kind()) => "k",
        SyntaxKind.IdentifierToken when SyntaxFacts.GetContextualKeywordKind(token.Text) != SyntaxKind.None => "k",
        SyntaxKind.StringLiteralToken or SyntaxKind.CharacterLiteralToken or SyntaxKind.SingleLineRawStringLiteralToken
            or SyntaxKind.MultiLineRawStringLiteralToken or SyntaxKind.InterpolatedStringTextToken => "s",
        SyntaxKind.NumericLiteralToken => "n",
        SyntaxKind.IdentifierToken when token.Text.Length > 0 && char.IsUpper(token.Text[0]) => "t",
        _ => null,
    };

    private static string? Style(SyntaxTrivia trivia) => trivia.Kind() switch
    {
        SyntaxKind.SingleLineCommentTrivia or SyntaxKind.MultiLineCommentTrivia => "c",
        SyntaxKind.SingleLineDocumentationCommentTrivia or SyntaxKind.MultiLineDocumentationCommentTrivia => "d",
        _ when trivia.IsDirective => "d",
        _ => null,
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        html, body { height: 100%; margin: 0; overflow: hidden; }
        body { display: flex; flex-direction: column; font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; }
        header { padding: 8px 16px; border-bottom: 1px solid #ccc; background: #f7f7f7; flex: none; }
        h1 { font-size: 18px; margin: 0 0 4px 0; } h2 { font-size: 15px; margin: 10px 0 4px 0; }
        #hint, #chosen { margin: 2px 0; font-size: 13px; } #chosen { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; white-space: pre-wrap; }
        main { flex: 1; min-height: 0; display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); }
        #code { display: flex; flex-direction: column; min-height: 0; padding: 0 0 0 12px; border-right: 1px solid #ccc; }
        #method { flex: none; max-height: 35%; overflow: auto; } #scroll { flex: 1; min-height: 0; overflow: auto; }
        #graph { overflow: auto; padding: 0 12px 12px 12px; }
        pre.code { font: 12px/1.35 "DejaVu Sans Mono", Menlo, Consolas, monospace; margin: 0; }
        .line { display: block; white-space: pre; scroll-margin-top: 4em; } .no { display: inline-block; width: 3.5em; color: #aaa; user-select: none; }
        .k { color: #0033b3; } .s { color: #b35c00; } .n { color: #7a3eb1; } .t { color: #00747a; } .c { color: #2e7d32; } .d { color: #888; }
        .line.own { background: #fff59d; outline: 1px solid #e0c600; } .line.related { background: #ffe0c2; } .line.src { background: #fff59d; }
        #graph svg .node { cursor: pointer; } #graph svg .node:hover rect { stroke: #000; }
        #graph svg .node.chosen rect { stroke: #d50000; stroke-width: 3; } #graph svg .node:focus { outline: none; } #graph svg .node:focus rect { stroke: #1565c0; stroke-width: 2; }
        """;

    private const string Script = """
        function choose(id, scroll) {
          for (const e of document.querySelectorAll('.own, .related, .src, .chosen')) e.classList.remove('own', 'related', 'src', 'chosen');
          const lines = NODES[id];
          const node = document.getElementById(id);
          if (!lines || !node) { document.getElementById('chosen').textContent = id ? 'No node ' + id + ' in this graph.' : ''; return; }
          node.classList.add('chosen');
          for (const l of lines.code) document.getElementById(l).classList.add('own');
          for (const l of lines.related) document.getElementById(l).classList.add('related');
          for (const l of lines.source) document.getElementById(l).classList.add('src');
          const title = node.querySelector('title');
          document.getElementById('chosen').textContent = id + (title ? '\n' + title.textContent : '');
          if (scroll) {
            const first = lines.code.concat(lines.related)[0];
            if (first) document.getElementById(first).scrollIntoView({ block: 'start' });
            if (lines.source[0]) document.getElementById(lines.source[0]).scrollIntoView({ block: 'nearest' });
            node.scrollIntoView({ block: 'nearest', inline: 'nearest' });
          }
        }
        function fromHash() {
          const m = /^#node=(.+)$/.exec(location.hash);
          choose(m ? decodeURIComponent(m[1]) : '', true);
        }
        for (const node of document.querySelectorAll('#graph .node')) {
          const pick = () => { history.replaceState(null, '', '#node=' + node.id); choose(node.id, true); };
          node.setAttribute('tabindex', '0');   // Tab reaches the boxes, Enter chooses one
          node.addEventListener('click', pick);
          node.addEventListener('keydown', e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } });
        }
        window.addEventListener('hashchange', fromHash);
        fromHash();

        """;
}
