using System.Text;
using Differentiable.Fuzz.Cases;

namespace Differentiable.Fuzz.Runner;

/// <summary>The summary table, and each failing case written out whole so it can be kept as a regression file.</summary>
public static class Report
{
    public static string Summary(IReadOnlyList<CaseResult> results, TimeSpan elapsed)
    {
        var s = new StringBuilder();
        s.AppendLine($"{"outcome",-16} {"cases",8}");
        foreach (var outcome in Enum.GetValues<Outcome>())
            s.AppendLine($"{outcome,-16} {results.Count(r => r.Outcome == outcome),8}");
        s.AppendLine($"{"total",-16} {results.Count,8}   in {elapsed.TotalSeconds:0.0} s ({results.Count / Math.Max(elapsed.TotalSeconds, 1e-3):0.0} cases/s)");
        s.AppendLine($"{"failures",-16} {results.Count(r => r.IsFailure),8}");
        return s.ToString();
    }

    /// <summary>A case's source with a header comment saying what it is and what went wrong.</summary>
    public static string Describe(CaseResult result, FuzzCase c)
    {
        var header = new StringBuilder();
        header.AppendLine($"// Fuzz case {c.Id} ({c.Description}): {result.Outcome}");
        foreach (var line in result.Detail.Split('\n').Take(20)) header.AppendLine("// " + line.TrimEnd());
        if (c.Files.Count > 1) header.AppendLine($"// (with {c.Files.Count - 1} unmodified sample file(s) it uses, written beside it as .depN.cs)");
        // A random program's check goes with it, so the file kept as a regression is gradient-checked again.
        if (c.Check is not null && c.Family != Family.File && CaseFactory.CheckLine(c.Check) is { } check) header.AppendLine(check);
        return header + c.Source;
    }

    public static void Write(string directory, CaseResult result)
    {
        var c = CaseFactory.Make(result.Id);
        var folder = Path.Combine(directory, result.Outcome.ToString());
        Directory.CreateDirectory(folder);
        var name = string.Concat(result.Id.Select(ch => char.IsLetterOrDigit(ch) ? ch : '_'));
        if (name.Length > 80) name = name[^80..];
        File.WriteAllText(Path.Combine(folder, name + ".cs"), Describe(result, c));
        for (var k = 1; k < c.Files.Count; k++) File.WriteAllText(Path.Combine(folder, $"{name}.dep{k}.cs"), c.Files[k]);
    }
}
