using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace Differentiable.Benchmarks;

/// <summary>
/// Compares two builds of the generator in one process, run after run in turn: this host's speed drifts by a fifth
/// between minutes, so two separate benchmark runs cannot tell a few milliseconds apart, while pairs of runs a few
/// milliseconds apart see the same machine. Reports each build's median and the median of the paired differences.
/// <code>dotnet run -c Release --project Benchmarks -- generator-ab --base path/to/Differentiable.Generator.dll [--pairs 200] [--warmup 150] Body-1000 ...</code>
/// The other build is this one's (or <c>--new DLL</c>); each is loaded in a context of its own, sharing Roslyn.
/// </summary>
public static class GeneratorAb
{
    public static int Run(string[] args)
    {
        if (CompilerServerGc.RelaunchUnlessServer(args) is { } exitCode) return exitCode;
        string? Option(string name) => Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        var basePath = Option("--base");
        if (basePath is null || !File.Exists(basePath))
        {
            Console.Error.WriteLine("generator-ab --base DLL [--new DLL] [--pairs N] [--warmup N] INPUT...: --base names the generator build to compare with");
            return 2;
        }
        var newPath = Option("--new");
        var pairs = int.TryParse(Option("--pairs"), out var p) && p > 0 ? p : 200;
        var warmup = int.TryParse(Option("--warmup"), out var w) && w >= 0 ? w : 150;
        var valued = new[] { "--base", "--new", "--pairs", "--warmup" };
        var names = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !valued.Contains(args[i - 1]))).ToArray();
        var inputs = GeneratorInput.All().Where(i => names.Contains(i.ToString(), StringComparer.OrdinalIgnoreCase)).ToList();
        if (inputs.Count == 0)
        {
            Console.Error.WriteLine("No such input; one of: " + string.Join(", ", GeneratorInput.All()));
            return 2;
        }
        var baseGenerator = Load(basePath);
        var newGenerator = newPath is null ? () => new Differentiable.Generator.DifferentiableGenerator() : Load(newPath);
        Console.WriteLine($"Garbage collector: {CompilerServerGc.Describe()}; base {basePath}, new {newPath ?? "this build"}");
        foreach (var input in inputs)
        {
            var a = new GeneratorBenchmarks { Input = input, CheckOutput = false, TierUpTime = TimeSpan.Zero, Generator = baseGenerator };
            var b = new GeneratorBenchmarks { Input = input, CheckOutput = false, TierUpTime = TimeSpan.Zero, Generator = newGenerator };
            a.Setup();
            b.Setup();
            for (var i = 0; i < warmup; i++)
            {
                a.FullRun();
                b.FullRun();
            }
            var (ta, tb) = (new List<double>(), new List<double>());
            for (var i = 0; i < pairs; i++)
            {
                // Alternating which goes first, so neither always runs after the other's garbage.
                var first = i % 2 == 0;
                var t1 = Time(first ? a : b);
                var t2 = Time(first ? b : a);
                ta.Add(first ? t1 : t2);
                tb.Add(first ? t2 : t1);
            }
            var differences = ta.Zip(tb, (x, y) => y - x).ToList();
            var faster = differences.Count(d => d < 0);
            Console.WriteLine($"{input,-12} base {Median(ta),6:F1} ms (mean {ta.Average(),5:F1})   new {Median(tb),6:F1} ms (mean {tb.Average(),5:F1})   " +
                              $"new - base: median {Median(differences):+0.0;-0.0} ms, mean {differences.Average():+0.0;-0.0}; new faster in {faster} of {pairs} pairs");
        }
        return 0;
    }

    private static double Time(GeneratorBenchmarks bench)
    {
        var clock = Stopwatch.StartNew();
        bench.FullRun();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>The generator in <paramref name="path"/>, in a load context of its own that shares this process's Roslyn (so it is the same IIncrementalGenerator).</summary>
    private static Func<IIncrementalGenerator> Load(string path)
    {
        var context = new IsolatedGenerator(Path.GetFullPath(path));
        var type = context.Generator.GetType("Differentiable.Generator.DifferentiableGenerator", throwOnError: true)!;
        return () => (IIncrementalGenerator)Activator.CreateInstance(type)!;
    }

    private sealed class IsolatedGenerator : AssemblyLoadContext
    {
        public IsolatedGenerator(string path) : base("generator " + path) => Generator = LoadFromAssemblyPath(path);

        public Assembly Generator { get; }

        // Everything else (Roslyn, the base library) from the default context.
        protected override Assembly? Load(AssemblyName name) => null;
    }
}
