using System.Diagnostics;

namespace Differentiable.Benchmarks;

/// <summary>
/// A quick, unrigorous pass over the generator inputs (see Program.cs): per input the setup's checked runs, then
/// one timed full run and one timed edit re-run. Run each input in its own process with a timeout to find the
/// sizes where a generator hangs or overflows the stack (a stack overflow kills the process).
/// </summary>
public static class GeneratorProbe
{
    public static int Run(string[] args)
    {
        // The compiler server's garbage collector unless --gc-as-is (see CompilerServerGc).
        if (CompilerServerGc.RelaunchUnlessServer(args) is { } exitCode) return exitCode;
        Console.WriteLine("Garbage collector: " + CompilerServerGc.Describe());
        // --unchecked: skip the setup's checks (one generator run, then the timed ones).
        var check = !args.Contains("--unchecked");
        // --repeat N: N timed runs of each kind, reporting the fastest and the median (one run is noisy here).
        var at = Array.IndexOf(args, "--repeat");
        var repeat = at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var r) && r > 0 ? r : 1;
        // --warmup N: N untimed runs of each kind first. The generator is a large body of code that the runtime compiles
        // in tiers (quick code first, then instrumented, then optimized with what the instrumentation saw); a long-lived
        // compiler server or IDE runs the optimized code, which takes on the order of a hundred runs to reach.
        var wu = Array.IndexOf(args, "--warmup");
        var warmup = wu >= 0 && wu + 1 < args.Length && int.TryParse(args[wu + 1], out var w) && w >= 0 ? w : 0;
        // --write DIR: also write each input's generated files under DIR/<input>/, to read what a run produced.
        var wat = Array.IndexOf(args, "--write");
        var write = wat >= 0 && wat + 1 < args.Length ? args[wat + 1] : null;
        // --compile: also time compiling the generated code (see CompileTimes).
        var compile = args.Contains("--compile");
        // --same N: instead of timing, run N more full runs and edits and check each generates what the first did (a long
        // method is generated on two cores: its text must not depend on which thread wrote what, or when).
        var sa = Array.IndexOf(args, "--same");
        var same = sa >= 0 && sa + 1 < args.Length && int.TryParse(args[sa + 1], out var n) && n > 0 ? n : 0;
        var names = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (at < 0 || i != at + 1) && (wat < 0 || i != wat + 1) && (wu < 0 || i != wu + 1) && (sa < 0 || i != sa + 1)).ToArray();
        var inputs = GeneratorInput.All().Where(i => names.Length == 0 || names.Contains(i.ToString(), StringComparer.OrdinalIgnoreCase)).ToList();
        if (inputs.Count == 0)
        {
            Console.Error.WriteLine("No such input; one of: " + string.Join(", ", GeneratorInput.All()));
            return 2;
        }
        foreach (var input in inputs)
        {
            var bench = new GeneratorBenchmarks { Input = input, CheckOutput = check, TierUpTime = TimeSpan.Zero };
            var clock = Stopwatch.StartNew();
            bench.Setup();
            var setup = clock.Elapsed.TotalMilliseconds;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var driver = bench.FullRun();
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            if (write is not null)
                foreach (var generated in driver.GetRunResult().GeneratedTrees)
                {
                    var path = Path.Combine(write, input.ToString(), Path.GetFileName(generated.FilePath));
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllText(path, generated.GetText().ToString());
                }
            if (same > 0)
            {
                Console.WriteLine($"{input,-14} {Same(input, bench, driver, same)}");
                continue;
            }
            for (var i = 0; i < warmup; i++) bench.FullRun();
            for (var i = 0; i < warmup; i++) bench.IncrementalRun();
            var pauses = GC.GetTotalPauseDuration();
            var collections = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
            var full = Time(() => bench.FullRun(), repeat);
            var pausePerRun = (GC.GetTotalPauseDuration() - pauses).TotalMilliseconds / repeat;
            var perRun = string.Join("/", Enumerable.Range(0, 3).Select(g => ((GC.CollectionCount(g) - collections[g]) / (double)repeat).ToString("F1")));
            var edit = Time(() => bench.IncrementalRun(), repeat);
            Console.WriteLine(repeat == 1
                ? $"{input,-14} setup {setup,10:F1} ms   full run {full.Min,10:F1} ms   edit + re-run {edit.Min,10:F1} ms"
                : $"{input,-14} setup {setup,10:F1} ms   full run {full.Min,8:F1} / {full.Median,8:F1} / {full.Mean,8:F1} ms   edit + re-run {edit.Min,8:F1} / {edit.Median,8:F1} / {edit.Mean,8:F1} ms (fastest / median / mean of {repeat}{(warmup > 0 ? $" after {warmup} untimed" : "")}); a full run allocates {allocated / 1e6:F0} MB and pauses {pausePerRun:F1} ms for GC (collections of gen 0/1/2 per run: {perRun})");
            if (compile) CompileTimes(input, bench, driver, Math.Max(repeat, 3));
        }
        return 0;
    }

    /// <summary>
    /// The user's compiler binds and emits the generated code on every build; for the samples and the large inputs that
    /// costs far more than running the generator. Times compiling the input alone and with the generated files (warm:
    /// the first of each is untimed), fastest / median, and the difference.
    /// </summary>
    private static void CompileTimes(GeneratorInput input, GeneratorBenchmarks bench, Microsoft.CodeAnalysis.GeneratorDriver driver, int repeat)
    {
        var (alone, withGenerated) = bench.Compilations();
        double Emit(Microsoft.CodeAnalysis.Compilation c)
        {
            var clock = Stopwatch.StartNew();
            var result = c.Clone().Emit(new MemoryStream());
            if (!result.Success) throw new InvalidOperationException($"{input}: the compilation has errors: {result.Diagnostics.First(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)}");
            return clock.Elapsed.TotalMilliseconds;
        }
        Emit(alone);
        Emit(withGenerated);
        var times = Enumerable.Range(0, repeat).Select(_ => (Alone: Emit(alone), With: Emit(withGenerated))).ToList();
        var a = times.Select(t => t.Alone).Order().ToList();
        var g = times.Select(t => t.With).Order().ToList();
        var size = driver.GetRunResult().GeneratedTrees.Sum(t => t.Length) / 1e6;
        Console.WriteLine($"{input,-14} compile (Release, warm) alone {a[0],8:F0} / {a[repeat / 2],8:F0} ms   with its {size:F2} MB of generated code {g[0],8:F0} / {g[repeat / 2],8:F0} ms   (fastest / median of {repeat}): the generated code costs about {g[repeat / 2] - a[repeat / 2]:F0} ms");
    }

    /// <summary>Runs <paramref name="count"/> full runs and as many edits, and compares each one's files with the first of its kind.</summary>
    private static string Same(GeneratorInput input, GeneratorBenchmarks bench, Microsoft.CodeAnalysis.GeneratorDriver first, int count)
    {
        static string Files(Microsoft.CodeAnalysis.GeneratorDriver driver) =>
            string.Join("\n\0\n", driver.GetRunResult().GeneratedTrees.Select(t => t.FilePath + "\n" + t.GetText()));
        var (full, edit) = (Files(first), Files(bench.IncrementalRun()));
        for (var i = 0; i < count; i++)
        {
            if (Files(bench.FullRun()) != full) return $"full run {i + 2} generated other text than the first";
            if (Files(bench.IncrementalRun()) != edit) return $"edit {i + 2} generated other text than the first";
        }
        return $"{count + 1} full runs and {count + 1} edits: each generated the same text as the first of its kind";
    }

    /// <summary>The fastest and the median run, and the mean: what BenchmarkDotNet reports, collections included.</summary>
    private static (double Min, double Median, double Mean) Time(Action run, int repeat)
    {
        var times = new double[repeat];
        for (var i = 0; i < repeat; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        var mean = times.Average();
        Array.Sort(times);
        return (times[0], times[repeat / 2], mean);
    }
}
