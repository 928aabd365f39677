using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Differentiable.Benchmarks.TrainingStepBenchmarks).Assembly).Run(args);
