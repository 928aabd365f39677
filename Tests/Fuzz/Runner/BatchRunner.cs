using System.Runtime.Loader;
using Differentiable.Fuzz.Cases;
using Microsoft.CodeAnalysis;

namespace Differentiable.Fuzz.Runner;

/// <summary>
/// Runs cases through the generator, many per compilation (one generator run and one bind for the lot is what
/// makes 100,000 cases affordable). A batch whose failure cannot be pinned on a case, and every case that failed
/// in a batch, is rerun alone: the result of the lone run is the one reported.
/// </summary>
public sealed class BatchRunner(TimeSpan batchBudget, TimeSpan caseBudget, Action<int>? beforeSingle = null)
{
    public IReadOnlyList<CaseResult> RunBatch(IReadOnlyList<FuzzCase> cases)
    {
        if (cases.Count == 1) return new[] { RunSingle(cases[0], 0) };
        var run = GeneratorHost.Run(GeneratorHost.Compilation(cases.SelectMany((c, n) => CaseTrees.Make(c, n))), batchBudget);
        var outcomes = run.TimedOut || run.Error is not null ? null : Classifier.Classify(run, cases);
        if (outcomes is null) return cases.Select(RunSingle).ToList();

        var results = new CaseResult[cases.Count];
        var pendingChecks = new List<int>();
        for (var n = 0; n < cases.Count; n++)
        {
            var batched = outcomes[n];
            if (batched.IsFailure)
            {
                var alone = RunSingle(cases[n], n);
                results[n] = alone.IsFailure ? alone : batched with { Detail = "only together with the other cases of its batch:\n" + batched.Detail };
            }
            else if (batched.Outcome == Outcome.Ok && cases[n].Check is not null) pendingChecks.Add(n);
            else results[n] = batched;
        }

        // Other cases' errors (a mutation that does not compile) must not stop the random programs' checks: they are
        // emitted from a compilation of their own trees and their generated files only. Should that still fail, they run alone.
        if (pendingChecks.Count > 0)
        {
            var checkedCases = pendingChecks.ToHashSet();
            var output = run.Output!;
            var foreign = output.SyntaxTrees.Where(t => CaseTrees.CaseOf(t.FilePath) is { } n && !checkedCases.Contains(n)).ToList();
            var own = output.RemoveSyntaxTrees(foreign);
            if (own.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error))
                foreach (var n in pendingChecks) results[n] = RunSingle(cases[n], n);
            else
                GradientCheckAll(own, cases, pendingChecks, results);
        }
        return results;
    }

    public CaseResult RunSingle(FuzzCase c, int position)
    {
        if (position >= 0) beforeSingle?.Invoke(position);
        try
        {
            var run = GeneratorHost.Run(GeneratorHost.Compilation(CaseTrees.Make(c, 0)), caseBudget);
            if (run.TimedOut) return new CaseResult(c.Id, Outcome.Slow, $"generator still running after {caseBudget.TotalSeconds:0.#} s");
            if (run.Error is not null) return new CaseResult(c.Id, Outcome.Threw, Classifier.Describe(run.Error));
            var result = Classifier.Classify(run, new[] { c })![0];
            if (result.Outcome != Outcome.Ok || c.Check is null) return result;
            var results = new CaseResult[1];
            GradientCheckAll(run.Output!, new[] { c }, new List<int> { 0 }, results);
            return results[0];
        }
        catch (Exception e)
        {
            return new CaseResult(c.Id, Outcome.Crashed, "the fuzzer's host failed: " + Classifier.Describe(e));
        }
    }

    private static void GradientCheckAll(Compilation output, IReadOnlyList<FuzzCase> cases, List<int> which, CaseResult[] results)
    {
        using var stream = new MemoryStream();
        var emitted = output.Emit(stream);
        if (!emitted.Success)
        {
            var errors = string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(5));
            foreach (var n in which) results[n] = new CaseResult(cases[n].Id, Outcome.Uncompilable, "emit failed:\n" + errors);
            return;
        }
        stream.Position = 0;
        var context = new AssemblyLoadContext("fuzz-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(stream);
            foreach (var n in which)
            {
                string? problem;
                try { problem = GradientChecker.Check(assembly, n, cases[n].Check!); }
                catch (Exception e) { problem = "threw while checking: " + Classifier.Describe(e.InnerException ?? e); }
                var kernels = problem is null && KernelSample.Takes(cases[n].Id) ? KernelSample.Compile(assembly, n) : null;
                var outcome = problem is null ? kernels is not null ? Outcome.KernelRejected : Outcome.Ok
                    : problem.StartsWith(GradientChecker.Unchecked, StringComparison.Ordinal) ? Outcome.Unchecked : Outcome.GradCheckFailed;
                results[n] = new CaseResult(cases[n].Id, outcome, problem ?? kernels ?? "");
            }
        }
        finally
        {
            context.Unload();
        }
    }
}
