using BenchmarkDotNet.Running;
using Differentiable.Benchmarks;

// `generator-probe [--unchecked] [Input ...]`: one setup (which checks the output) and one timed full run and edit re-run per
// input, in this process, without BenchmarkDotNet; a quick look at which sizes are slow. Inputs as BenchmarkDotNet
// names them (Samples, Body-250, Chain-50, ...); none means all of them.
if (args.Length > 0 && args[0] == "generator-probe")
    return GeneratorProbe.Run(args[1..]);

BenchmarkSwitcher.FromAssembly(typeof(Differentiable.Benchmarks.TrainingStepBenchmarks).Assembly).Run(args);
return 0;
