using BenchmarkDotNet.Running;
using Differentiable.Benchmarks;

// `generator-probe [--unchecked] [Input ...]`: one setup (which checks the output) and one timed full run and edit re-run per
// input, in this process, without BenchmarkDotNet; a quick look at which sizes are slow. Inputs as BenchmarkDotNet
// names them (Samples, Body-250, Chain-50, ...); none means all of them.
if (args.Length > 0 && args[0] == "generator-probe")
    return GeneratorProbe.Run(args[1..]);

// `peak [--threads 2] [--seconds 2]`: this machine's measured float32 peak in GFLOP/s (for cpu-vs-pytorch.sh's table).
if (args.Length > 0 && args[0] == "peak")
{
    var threads = args.SkipWhile(a => a != "--threads").Skip(1).Select(int.Parse).DefaultIfEmpty(Environment.ProcessorCount).First();
    var seconds = args.SkipWhile(a => a != "--seconds").Skip(1).Select(double.Parse).DefaultIfEmpty(2).First();
    Console.WriteLine(PeakFlops.MeasureGflops(threads, TimeSpan.FromSeconds(seconds)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Differentiable.Benchmarks.TrainingStepBenchmarks).Assembly).Run(args);
return 0;
