using BenchmarkDotNet.Running;
using Differentiable.Benchmarks;

// `generator-probe [--unchecked] [Input ...]`: one setup (which checks the output) and one timed full run and edit re-run per
// input, in this process, without BenchmarkDotNet; a quick look at which sizes are slow. Inputs as BenchmarkDotNet
// names them (Samples, Body-250, Chain-50, ...); none means all of them.
if (args.Length > 0 && args[0] == "generator-ab")
    return GeneratorAb.Run(args[1..]);
if (args.Length > 0 && args[0] == "generator-probe")
    return GeneratorProbe.Run(args[1..]);
// `allocation-sites TRACE.nettrace [--frame PREFIX] [--top N] [--objects] [--large]`: a dotnet-trace's sampled allocations by type and
// allocating frame, and the collections it saw (Generator/AllocationSites.cs).
if (args.Length > 0 && args[0] == "allocation-sites")
    return AllocationSites.Run(args[1..]);

// `peak [--threads 2] [--seconds 2]`: this machine's measured float32 peak in GFLOP/s (for cpu-vs-pytorch.sh's table).
if (args.Length > 0 && args[0] == "peak")
{
    var threads = args.SkipWhile(a => a != "--threads").Skip(1).Select(int.Parse).DefaultIfEmpty(Environment.ProcessorCount).First();
    var seconds = args.SkipWhile(a => a != "--seconds").Skip(1).Select(double.Parse).DefaultIfEmpty(2).First();
    Console.WriteLine(PeakFlops.MeasureGflops(threads, TimeSpan.FromSeconds(seconds)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}

// `gemm-probe [MxKxN ...]`: the step's matrix products alone, best of 7 × 60 calls, µs and GFLOP/s (Cpu/GemmProbe.cs).
if (args.Length > 0 && args[0] == "gemm-probe")
    return GemmProbe.Run(args[1..]);

// `step-loop flat100|flat1000|sin|cnn [--seconds 10]`: one training step in a loop, for a profiler to attach to
// (`perf record`, `dotnet-trace`); prints the mean step time. Not a benchmark: use TrainingStepBenchmarks for numbers.
if (args.Length > 0 && args[0] == "step-loop")
{
    var steps = new TrainingStepBenchmarks();
    steps.Setup();
    Func<double> step = args.ElementAtOrDefault(1) switch
    {
        "flat100" => steps.FlatNet100,
        "flat1000" => steps.FlatNet1000,
        "sin" => steps.SinNet100,
        "cnn" => steps.Cnn64,
        _ => throw new ArgumentException("step-loop flat100|flat1000|sin|cnn [--seconds S]"),
    };
    var seconds = args.SkipWhile(a => a != "--seconds").Skip(1).Select(double.Parse).DefaultIfEmpty(10).First();
    for (var i = 0; i < 50; i++) step();
    var clock = System.Diagnostics.Stopwatch.StartNew();
    var count = 0;
    while (clock.Elapsed.TotalSeconds < seconds) { step(); count++; }
    Console.WriteLine($"{args[1]}: {count} steps, {clock.Elapsed.TotalMilliseconds * 1000 / count:F0} µs per step");
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Differentiable.Benchmarks.TrainingStepBenchmarks).Assembly).Run(args);
return 0;
