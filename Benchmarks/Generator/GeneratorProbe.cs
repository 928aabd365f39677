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
        var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
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
            clock.Restart();
            bench.FullRun();
            var full = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            bench.IncrementalRun();
            var edit = clock.Elapsed.TotalMilliseconds;
            Console.WriteLine($"{input,-14} setup {setup,10:F1} ms   full run {full,10:F1} ms   edit + re-run {edit,10:F1} ms");
        }
        return 0;
    }
}
