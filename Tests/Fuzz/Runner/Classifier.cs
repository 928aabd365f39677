using Differentiable.Fuzz.Cases;
using Microsoft.CodeAnalysis;

namespace Differentiable.Fuzz.Runner;

/// <summary>
/// Reads one generator run over a batch and says, per case, what happened. A failure that cannot be pinned on
/// one case (an exception, an internal error without a location) returns null: the caller reruns the cases one by one.
/// </summary>
public static class Classifier
{
    public static Dictionary<int, CaseResult>? Classify(GeneratorRun run, IReadOnlyList<FuzzCase> cases)
    {
        var result = run.Result!;
        var exception = result.Results.Select(r => r.Exception).FirstOrDefault(e => e is not null);
        if (exception is not null)
        {
            if (cases.Count > 1) return null;
            return new() { [0] = new CaseResult(cases[0].Id, Outcome.Threw, Describe(exception)) };
        }
        var generatorDiagnostics = result.Diagnostics.Concat(result.Results.SelectMany(r => r.Diagnostics)).Distinct().ToList();
        if (generatorDiagnostics.FirstOrDefault(d => d.Id == "CS8785") is { } crash)
            return cases.Count > 1 ? null : new() { [0] = new CaseResult(cases[0].Id, Outcome.Threw, crash.GetMessage()) };

        var outcomes = new Dictionary<int, CaseResult>();
        var diffErrors = new Dictionary<int, List<Diagnostic>>();
        foreach (var d in generatorDiagnostics.Where(d => d.Id.StartsWith("DIFF", StringComparison.Ordinal)))
        {
            var n = CaseTrees.CaseOf(d.Location.SourceTree?.FilePath) ?? (cases.Count == 1 ? 0 : null);
            if (n is null) return null;
            if (d.Id == "DIFF099") outcomes.TryAdd(n.Value, new CaseResult(cases[n.Value].Id, Outcome.Diff099, d.ToString()));
            if (d.Severity == DiagnosticSeverity.Error) (diffErrors.TryGetValue(n.Value, out var list) ? list : diffErrors[n.Value] = new()).Add(d);
        }

        var inputTrees = run.Input.SyntaxTrees.ToHashSet();
        var errors = run.Output!.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var suspects = errors.GroupBy(d => CaseTrees.CaseOf(d.Location.SourceTree?.FilePath)).ToList();
        foreach (var group in suspects)
        {
            if (group.Key is not { } n)
            {
                if (cases.Count > 1) return null;
                n = 0;
            }
            if (outcomes.ContainsKey(n) || diffErrors.ContainsKey(n)) continue;
            var own = OwnErrors(run, n);
            if (own.Count > 0) continue;
            var generated = group.Where(d => !inputTrees.Contains(d.Location.SourceTree!)).ToList();
            // Errors only in the user's own code count when a member the generator promises for every method it accepts
            // ({M}WithGradients) is missing; any other is the user's code misusing a name (a local named Parameters). And
            // not when some error there is not a missing member at all (all:13579246:2476 called the generated Parameters()
            // with an argument, CS1501: its method then did not compile, so it got no {M}WithGradients, rightly).
            if (generated.Count == 0 && (!group.Any(d => IsMissingMember(d) && PromisedMemberMissing(run, n, d))
                                         || group.Any(d => !IsMissingMember(d))))
                continue;
            var shown = (generated.Count > 0 ? generated : group.ToList()).Take(5);
            outcomes[n] = new CaseResult(cases[n].Id, Outcome.Uncompilable, string.Join("\n", shown.Select(d => $"{Path.GetFileName(d.Location.SourceTree?.FilePath)}{d.Location.GetLineSpan().StartLinePosition}: {d.Id} {d.GetMessage()}")));
        }

        for (var n = 0; n < cases.Count; n++)
        {
            if (outcomes.ContainsKey(n)) continue;
            var rejected = diffErrors.TryGetValue(n, out var diff) ? string.Join("; ", diff.Select(d => d.Id + " " + d.GetMessage()).Distinct().Take(3))
                : suspects.Any(g => g.Key == n) ? string.Join("; ", OwnErrors(run, n).Take(3).Select(d => d.ToString())) : null;
            outcomes[n] = rejected is null ? new CaseResult(cases[n].Id, Outcome.Ok, "")
                : new CaseResult(cases[n].Id, cases[n].Check is null ? Outcome.Diagnosed : Outcome.Rejected, rejected);
        }
        return outcomes;
    }

    /// <summary>
    /// The case's own compile errors before generation, less those about members the generator was to add
    /// (the case may use FWithGradients): a case that does not compile by itself is the user's problem, not the generator's.
    /// </summary>
    private static List<Diagnostic> OwnErrors(GeneratorRun run, int n) =>
        run.Input.SyntaxTrees.Where(t => CaseTrees.CaseOf(t.FilePath) == n)
            .SelectMany(t => run.Input.GetSemanticModel(t).GetDiagnostics())
            .Where(d => d.Severity == DiagnosticSeverity.Error && !MentionsGeneratedMember(d))
            .ToList();

    // A generated member's name is a method's name with a suffix ('LossWithGradients', 'LossGradients'): a bare 'Gradients'
    // is the user's own name (mutation:73012345:2724 renamed Relu to Gradients, and that real error was filtered out).
    private static readonly System.Text.RegularExpressions.Regex GeneratedMember =
        new(@"'\w+(WithGradients|Gradients|DeviceProgram|CudaSource)'|'Parameters'|IModule");

    // The generated Parameters() is a method: a type of that name that is not found (CS0246, all:61727384:2311 declared a
    // local of type Parameters), or the name read as a value rather than called (all:92837465:2770 passed Parameters to
    // MatMul), is the user's own error, which the generator can neither cause nor mend.
    private static bool MentionsGeneratedMember(Diagnostic d) =>
        GeneratedMember.IsMatch(d.GetMessage())
        && !(d.GetMessage().Contains("'Parameters'", StringComparison.Ordinal) && (d.Id is "CS0246" || !IsCalledOrNamed(d)));

    /// <summary>Whether the name the diagnostic is at is called, or named in <c>nameof</c>: what a generated method can answer.</summary>
    private static bool IsCalledOrNamed(Diagnostic d)
    {
        if (d.Location.SourceTree?.GetRoot().FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true) is not { } node) return true;
        var name = node.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax access && access.Name == node ? access : node;
        return name.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax call && call.Expression == name
            || name.Ancestors().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax>().Any(i => i.Expression is Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax { Identifier.ValueText: "nameof" });
    }

    /// <summary>
    /// Whether <paramref name="d"/> is about the {M}WithGradients of a method M the case declares: a name with that suffix
    /// whose method is gone is the user's own error (all:81234577:1795 renamed Loss to All and kept a nameof(LossWithGradients)).
    /// </summary>
    private static bool PromisedMemberMissing(GeneratorRun run, int n, Diagnostic d)
    {
        var match = MissingWithGradients.Match(d.GetMessage());
        return match.Success && run.Input.SyntaxTrees.Where(t => CaseTrees.CaseOf(t.FilePath) == n)
            .SelectMany(t => t.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>())
            .Any(m => m.Identifier.ValueText == match.Groups[1].Value);
    }

    private static readonly System.Text.RegularExpressions.Regex MissingWithGradients = new(@"'(\w+)WithGradients'");

    /// <summary>A name that does not exist (as a missing generated member shows), not a member used wrongly.</summary>
    private static bool IsMissingMember(Diagnostic d) => d.Id is "CS0103" or "CS0117" or "CS1061" or "CS0246" or "CS0234";

    public static string Describe(Exception e) =>
        $"{e.GetType().FullName}: {e.Message}\n{string.Join("\n", (e.StackTrace ?? "").Split('\n').Take(12))}";
}
