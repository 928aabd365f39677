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
        // --unchecked: skip the setup's checks (one generator run, then the timed ones).
        var check = !args.Contains("--unchecked");
        // --repeat N: N timed runs of each kind, reporting the fastest and the median (one run is noisy here).
        var at = Array.IndexOf(args, "--repeat");
        var repeat = at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var r) && r > 0 ? r : 1;
        var names = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (at < 0 || i != at + 1)).ToArray();
        var inputs = GeneratorInput.All().Where(i => names.Length == 0 || names.Contains(i.ToString(), StringComparer.OrdinalIgnoreCase)).ToList();
        if (inputs.Count == 0)
        {
            Console.Error.WriteLine("No such input; one of: " + string.Join(", ", GeneratorInput.All()));
            return 2;
        }
        foreach (var input in inputs)
        {
            var bench = new GeneratorBenchmarks { Input = input, CheckOutput = check };
            var clock = Stopwatch.StartNew();
            bench.Setup();
            var setup = clock.Elapsed.TotalMilliseconds;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            bench.FullRun();
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            var full = Time(() => bench.FullRun(), repeat);
            var edit = Time(() => bench.IncrementalRun(), repeat);
            Console.WriteLine(repeat == 1
                ? $"{input,-14} setup {setup,10:F1} ms   full run {full.Min,10:F1} ms   edit + re-run {edit.Min,10:F1} ms"
                : $"{input,-14} setup {setup,10:F1} ms   full run {full.Min,8:F1} / {full.Median,8:F1} ms   edit + re-run {edit.Min,8:F1} / {edit.Median,8:F1} ms (fastest / median of {repeat}); a full run allocates {allocated / 1e6:F0} MB");
        }
        return 0;
    }

    private static (double Min, double Median) Time(Action run, int repeat)
    {
        var times = new double[repeat];
        for (var i = 0; i < repeat; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return (times[0], times[repeat / 2]);
    }
}
