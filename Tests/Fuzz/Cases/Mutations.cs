using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Fuzz.Cases;

/// <summary>
/// Sample models with one to three mutations: the realistic neighbourhood of code users write, broken in the ways
/// users break it (a deleted or doubled statement, a wrong name, unsupported C#, a clash with generated names).
/// Most mutants do not compile or get a DIFF error; the generator must still never throw, never report DIFF099,
/// and never emit code that does not compile for a mutant it accepted.
/// </summary>
public static class Mutations
{
    private static readonly Lazy<IReadOnlyList<(string Name, string Text)>> Samples = new(() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot.Find(), "Samples", "Models"), "*.cs").OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllText(f))).ToList());

    private static readonly string[] Unsupported =
    {
        "(true ? {0} : {0})", "((Func<Tensor, Tensor>)(t => t))({0})", "{0}[0]", "new Tensor({0})", "Tensor.Ones(3)",
        "({0} * {0}.Item())", "({0} * Math.Max(1.0, 2.0))", "({0} ?? {0})", "({0} is null ? {0} : {0})", "default(Tensor)!", "{0}!",
        "Ops.Sum({0})", "global::Differentiable.Ops.Exp({0})", "({0}, {0}).Item1", "checked({0})", "nameof({0})",
    };

    private static readonly string[] StatementWrappers =
    {
        "while (false) {{ }}\n{0}", "if (true) {{ {0} }}", "foreach (var z in new int[1]) {{ {0} }}", "{{ {0} }}", "{0}\n;",
        "for (int k = 0; k < 2; k++) {{ {0} }}", "for (int k = 0; k < Depth; k++) {{ {0} }}", "try {{ {0} }} finally {{ }}", "lock (this) {{ {0} }}",
        // Control flow (issue 11): supported forms, and the refused ones next to them.
        "int q = 0;\nwhile (q < 2) {{ q++; if (q == 1) continue; {0} break; }}", "if (System.Math.Abs(1.5) > 1) {{ {0} }} else if (Depth > 0) {{ {0} }}",
        "do {{ {0} }} while (false);", "switch (1) {{ default: {{ {0} }} break; }}", "goto skip;\nskip: {0}",
        // Long constant loops (real loops past 16 iterations), loops over a list of sub-modules, nested control flow.
        "for (int k = 0; k < 20; k++) {{ {0} }}", "for (int k = 1; k <= 17; k++) {{ if (k % 5 == 0) continue; {0} }}",
        "foreach (var layer in Layers) {{ {0} }}", "foreach (var block in Blocks) {{ {0} if (Limit < 0) break; }}",
        "for (int k = 0; k < 2; k++) {{ int j = 0; while (j < k) {{ {0} j++; }} }}",
    };

    public static FuzzCase Make(string id, Random r)
    {
        var samples = Samples.Value;
        var (name, text) = samples[r.Next(samples.Count)];
        var applied = new List<string>();
        for (var m = 0; m < r.Next(1, 4); m++)
        {
            var (mutated, what) = Mutate(text, r);
            text = mutated;
            applied.Add(what);
        }
        // The mutant keeps the other samples it names (SinNet needs TunedSin, AlexNet needs Linear), unmodified.
        var dependencies = samples.Where(s => s.Name != name && DeclaredTypes(s.Text).Any(t => text.Contains(t, StringComparison.Ordinal))).Select(s => s.Text);
        return new FuzzCase(id, Family.Mutation, $"{name}: {string.Join("; ", applied)}", new[] { text }.Concat(dependencies).ToList());
    }

    private static IEnumerable<string> DeclaredTypes(string text) =>
        CSharpSyntaxTree.ParseText(text).GetRoot().DescendantNodes().OfType<BaseTypeDeclarationSyntax>().Select(t => t.Identifier.ValueText);

    private static (string Text, string What) Mutate(string text, Random r)
    {
        var root = CSharpSyntaxTree.ParseText(text).GetRoot();
        var methods = root.DescendantNodes().OfType<MethodDeclarationSyntax>()
            .Where(m => m.AttributeLists.SelectMany(a => a.Attributes).Any(a => a.Name.ToString().Contains("Differentiable"))).ToList();
        var statements = methods.SelectMany(m => m.DescendantNodes().OfType<StatementSyntax>()).Where(s => s is not BlockSyntax).ToList();
        var expressions = methods.SelectMany(m => m.DescendantNodes().OfType<ExpressionSyntax>())
            .Where(e => e is InvocationExpressionSyntax or IdentifierNameSyntax or BinaryExpressionSyntax or MemberAccessExpressionSyntax).ToList();
        var tokens = root.DescendantTokens().Where(t => !t.IsKind(SyntaxKind.EndOfFileToken)).ToList();
        var classes = root.DescendantNodes().OfType<ClassDeclarationSyntax>().ToList();
        var method = methods.Count > 0 ? methods[r.Next(methods.Count)] : null;

        switch (r.Next(16))
        {
            case 0 when statements.Count > 0:
                var s0 = statements[r.Next(statements.Count)];
                return (Replace(text, s0.Span, ""), $"delete statement '{Short(s0)}'");
            case 1 when statements.Count > 0:
                var s1 = statements[r.Next(statements.Count)];
                return (Replace(text, s1.Span, s1 + "\n" + s1), $"duplicate statement '{Short(s1)}'");
            case 2 when statements.Count > 1:
                var (a, b) = (statements[r.Next(statements.Count)], statements[r.Next(statements.Count)]);
                if (a.Span.OverlapsWith(b.Span) || a == b) break;
                if (a.SpanStart > b.SpanStart) (a, b) = (b, a);
                return (Replace(Replace(text, b.Span, a.ToString()), a.Span, b.ToString()), $"swap '{Short(a)}' and '{Short(b)}'");
            case 3:
                var t3 = tokens[r.Next(tokens.Count)];
                return (Replace(text, t3.Span, ""), $"delete token '{t3}'");
            case 4:
                var t4 = tokens[r.Next(tokens.Count)];
                return (Replace(text, t4.Span, t4 + " " + t4), $"duplicate token '{t4}'");
            case 5:
                var identifiers = tokens.Where(t => t.IsKind(SyntaxKind.IdentifierToken)).ToList();
                var from = identifiers[r.Next(identifiers.Count)];
                var to = r.Next(2) == 0 ? identifiers[r.Next(identifiers.Count)].ValueText : Pick(r, "All", "seed", "Parameters", "value", "d_x", "x", "Forward", "@class", "Gradients", "Tensor");
                return (Replace(text, from.Span, to), $"rename '{from}' to '{to}'");
            case 6 when expressions.Count > 0:
                var e = expressions[r.Next(expressions.Count)];
                var replacement = string.Format(Pick(r, Unsupported), e);
                return (Replace(text, e.Span, replacement), $"replace '{Short(e)}' with '{Short(replacement)}'");
            case 7 when statements.Count > 0:
                var s7 = statements[r.Next(statements.Count)];
                var wrapped = string.Format(Pick(r, StatementWrappers), s7);
                return (Replace(text, s7.Span, wrapped), $"wrap '{Short(s7)}' as '{Short(wrapped)}'");
            case 8 when classes.Count > 0:
                var c8 = classes[r.Next(classes.Count)];
                return (Replace(text, c8.Keyword.Span, Pick(r, "struct", "record", "record struct", "interface")), $"class {c8.Identifier} to another kind");
            case 9 when classes.Count > 0:
                var c9 = classes[r.Next(classes.Count)];
                var partial = c9.Modifiers.FirstOrDefault(t => t.IsKind(SyntaxKind.PartialKeyword));
                if (partial == default) break;
                return (Replace(text, partial.Span, Pick(r, "", "sealed partial", "abstract partial", "partial unsafe")), $"remove or change 'partial' of {c9.Identifier}");
            case 10 when method is not null && method.Parent is ClassDeclarationSyntax owner:
                var clash = Pick(r,
                    $"public Tensor {method.Identifier}WithGradients(Tensor x) => x;",
                    $"public void {method.Identifier}DeviceProgram(global::Differentiable.Scheduling.ProgramBuilder p) {{ }}",
                    $"public const string {method.Identifier}CudaSource = \"\";",
                    "[Parameter] public Tensor Parameters;",
                    "public sealed class Gradients { }",
                    $"public sealed class {method.Identifier}Gradients {{ }}",
                    "[Parameter] public Tensor All;",
                    "[Parameter] public Tensor seed;");
                return (Replace(text, new Microsoft.CodeAnalysis.Text.TextSpan(owner.OpenBraceToken.Span.End, 0), "\n    " + clash), $"add member '{clash}'");
            case 11 when method is not null && method.ParameterList.Parameters.Count > 0:
                var parameter = method.ParameterList.Parameters[r.Next(method.ParameterList.Parameters.Count)];
                var newName = Pick(r, "All", "seed", "Gradients", "@class", "value", "p", "d_" + parameter.Identifier.ValueText);
                var uses = method.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken) && t.ValueText == parameter.Identifier.ValueText)
                    .OrderByDescending(t => t.SpanStart).ToList();
                foreach (var use in uses) text = Replace(text, use.Span, newName);
                return (text, $"rename argument '{parameter.Identifier}' of {method.Identifier} to '{newName}'");
            case 12:
                var ns = root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault();
                if (ns is null) break;
                var nsName = Pick(r, "@class", "Differentiable", "Tensor", "System", "Differentiable.Generated", "Ops");
                return (Replace(text, ns.Name.Span, nsName), $"namespace {nsName}");
            case 13 when method is not null:
                // {M}WithGradients is promised for every method the generator accepts; the device members are not (a
                // method with a hand-written backward, or one both called and calling, has none).
                var member = "WithGradients";
                var call = method.Modifiers.Any(m => m.IsKind(SyntaxKind.StaticKeyword)) ? "" : $"public string Use() => nameof({method.Identifier}{member});";
                if (call.Length == 0 || method.Parent is not ClassDeclarationSyntax host) break;
                return (Replace(text, new Microsoft.CodeAnalysis.Text.TextSpan(host.OpenBraceToken.Span.End, 0), "\n    " + call), $"use generated member '{member}'");
            case 14 when method?.Body is not null && method.DescendantNodes().OfType<ReturnStatementSyntax>().FirstOrDefault(x => x.Expression is not null) is { } ret:
                // An early return of what the method returns anyway, before one of its statements (perhaps inside a loop).
                var inside = method.Body.DescendantNodes().OfType<StatementSyntax>().Where(x => x is not BlockSyntax).ToList();
                var at = inside[r.Next(inside.Count)];
                var early = $"if ({Pick(r, "System.Math.Abs(1.5) > 2", "Depth > 0", "x.Sum().Item() > 1e9", "true")}) return {ret.Expression};";
                return (Replace(text, new Microsoft.CodeAnalysis.Text.TextSpan(at.SpanStart, 0), early + "\n"), $"early return before '{Short(at)}'");
            case 15:
                // A [Parameter] the generated Parameters() cannot read or assign (DIFF017): made private, protected or readonly.
                var fields = root.DescendantNodes().OfType<FieldDeclarationSyntax>()
                    .Where(f => f.AttributeLists.SelectMany(a => a.Attributes).Any(a => a.Name.ToString().Contains("Parameter"))).ToList();
                if (fields.Count == 0) break;
                var field = fields[r.Next(fields.Count)];
                var modifiers = Pick(r, "", "private", "protected", "internal", "public readonly", "private protected");
                var span = field.Modifiers.Count > 0 ? field.Modifiers.Span : new Microsoft.CodeAnalysis.Text.TextSpan(field.Declaration.SpanStart, 0);
                return (Replace(text, span, modifiers + (field.Modifiers.Count > 0 ? "" : " ")), $"[Parameter] {field.Declaration.Variables.First().Identifier} made '{modifiers}'");
        }
        return (text, "no-op");
    }

    private static string Replace(string text, Microsoft.CodeAnalysis.Text.TextSpan span, string with) => text[..span.Start] + with + text[span.End..];

    private static string Short(object o)
    {
        var s = o.ToString()!.ReplaceLineEndings(" ");
        return s.Length <= 60 ? s : s[..57] + "...";
    }

    private static string Pick(Random r, params string[] items) => items[r.Next(items.Length)];
}
