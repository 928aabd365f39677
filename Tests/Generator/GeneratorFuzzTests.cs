using Differentiable.Fuzz.Cases;
using Differentiable.Fuzz.Runner;
using Xunit.Abstractions;

namespace Differentiable.Tests.Generator;

/// <summary>
/// The generator fuzzer (Tests/Fuzz) at CI size, and the cases it once found, kept in Tests/Generator/FuzzRegressions.
/// The generator must never throw, never report DIFF099, never overflow its 1 MiB stack or run for long, never emit
/// code that does not compile for a case it accepted, and get every well-formed random program's gradient right (and
/// every kept case's with a <c>// check:</c> line).
/// Cases run in worker processes, so a stack overflow fails a case instead of ending the test run.
/// </summary>
public class GeneratorFuzzTests(ITestOutputHelper output)
{
    /// <summary>Fixed, so a failure here reproduces with `dotnet run -c Release --project Tests/Fuzz -- --seed 20251 --count ...`.</summary>
    private const int Seed = 20251;
    // Sized for CI: about 2 minutes on 2 cores (5 cases/s: one generator run, one compile and one emit per batch of 50, a
    // float64 gradient check per random program). Longer runs: the command above, any seed.
    private const int Count = 600;

    // Budgets catch hangs, not slowness: the edge families include 3,000-method chains, which take seconds on a loaded
    // CI machine; a hang takes forever, so a generous budget only costs time when something is really wrong.
    private static readonly FuzzOptions Options = new() { BatchSize = 50, BatchBudget = TimeSpan.FromSeconds(120), CaseBudget = TimeSpan.FromSeconds(60) };

    [Fact]
    public void SeededFuzzFindsNoFailures()
    {
        var ids = Enumerable.Range(0, Count).Select(i => CaseFactory.Id(Family.All, Seed, i)).ToList();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var results = FuzzSession.Run(ids, Options);
        output.WriteLine(Report.Summary(results, watch.Elapsed));
        AssertNoFailures(results);
    }

    public static TheoryData<string> Regressions()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot.Find(), "Tests", "Generator", "FuzzRegressions"), "*.cs").Order(StringComparer.Ordinal))
            data.Add("file:" + Path.GetRelativePath(RepositoryRoot.Find(), file));
        foreach (var name in Reproducers.Generated.Keys.Order(StringComparer.Ordinal)) data.Add("repro:" + name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Regressions))]
    public void RegressionCaseNeitherCrashesNorEmitsBrokenCode(string id)
    {
        if (id.StartsWith("file:", StringComparison.Ordinal)) id = "file:" + Path.Combine(RepositoryRoot.Find(), id["file:".Length..]);
        var results = FuzzSession.Run(new[] { id }, Options with { Jobs = 1 });
        AssertNoFailures(results);
    }

    private static void AssertNoFailures(IReadOnlyList<CaseResult> results)
    {
        var failures = results.Where(r => r.IsFailure).ToList();
        if (failures.Count == 0) return;
        var shown = failures.Take(10).Select(f => Report.Describe(f, CaseFactory.Make(f.Id)));
        Assert.Fail($"{failures.Count} of {results.Count} fuzz case(s) failed ({string.Join(", ", failures.GroupBy(f => f.Outcome).Select(g => $"{g.Count()} {g.Key}"))}); the first {Math.Min(10, failures.Count)}:\n\n"
            + string.Join("\n\n", shown));
    }
}
