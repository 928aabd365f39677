using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Differentiable.Samples.Models;
using Differentiable.Training;

namespace Differentiable.Benchmarks;

/// <summary>A short job (3 warmups, 10 measured iterations) so the whole suite runs in a few minutes on 2 cores.</summary>
public sealed class ShortConfig : ManualConfig
{
    public ShortConfig()
    {
        var job = Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1);
        AddJob(job);
        AddColumn(StatisticColumn.Median);
        AddColumn(StatisticColumn.Min);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}

/// <summary>
/// One full training step as the training app runs it: inside a TensorScope (memory reused between steps),
/// LossWithGradients (forward + generated backward) and an SGD update with momentum 0.5.
/// </summary>
[Config(typeof(ShortConfig))]
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private FlatNet _flat = null!;
    private FlatNet _flatBig = null!;
    private SinNet _sin = null!;
    private Sgd _flatOpt = null!, _flatBigOpt = null!, _sinOpt = null!;
    private Tensor _x100 = null!, _x1000 = null!;
    private Labels _y100 = null!, _y1000 = null!;
    private CNN _cnn = null!;
    private Sgd _cnnOpt = null!;
    private Tensor _x64 = null!;
    private Labels _y64 = null!;

    private static (Tensor X, Labels Y) Batch(int b, Rng rng)
    {
        var x = Tensor.Uniform(new[] { b, 784 }, 0, 1, rng);
        var labels = new int[b];
        var r = new Random(b);
        for (var i = 0; i < b; i++) labels[i] = r.Next(10);
        return (x, new Labels(labels));
    }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(42);
        (_x100, _y100) = Batch(100, rng);
        (_x1000, _y1000) = Batch(1000, rng);
        (_x64, _y64) = Batch(64, rng);
        _cnn = new CNN(seed: 1);
        _cnnOpt = new Sgd(_cnn, 0.01, momentum: 0.5);
        _flat = new FlatNet(seed: 1);
        _flatBig = new FlatNet(seed: 1);
        _sin = new SinNet(hidden: 512, seed: 1);
        _flatOpt = new Sgd(_flat, 0.01, momentum: 0.5);
        _flatBigOpt = new Sgd(_flatBig, 0.01, momentum: 0.5);
        _sinOpt = new Sgd(_sin, 0.01, momentum: 0.5);
    }

    [Benchmark(Description = "FlatNet b100 step")]
    public double FlatNet100()
    {
        using var step = TensorScope.Begin();
        var (loss, grads) = _flat.LossWithGradients(_x100, _y100);
        _flatOpt.Step(grads);
        return loss.Item();
    }

    [Benchmark(Description = "FlatNet b1000 step")]
    public double FlatNet1000()
    {
        using var step = TensorScope.Begin();
        var (loss, grads) = _flatBig.LossWithGradients(_x1000, _y1000);
        _flatBigOpt.Step(grads);
        return loss.Item();
    }

    [Benchmark(Description = "CNN b64 step")]
    public double Cnn64()
    {
        using var step = TensorScope.Begin();
        var (loss, grads) = _cnn.LossWithGradients(_x64, _y64);
        _cnnOpt.Step(grads);
        return loss.Item();
    }

    [Benchmark(Description = "SinNet-512 b100 step")]
    public double SinNet100()
    {
        using var step = TensorScope.Begin();
        var (loss, grads) = _sin.LossWithGradients(_x100, _y100);
        _sinOpt.Step(grads);
        return loss.Item();
    }
}

/// <summary>The GEMM alone at FlatNet's first-layer size: (100×784) · (784×128).</summary>
[Config(typeof(ShortConfig))]
public class GemmBenchmarks
{
    private Tensor _a = null!, _b = null!, _d = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(7);
        _a = Tensor.Uniform(new[] { 100, 784 }, -1, 1, rng);
        _b = Tensor.Uniform(new[] { 784, 128 }, -1, 1, rng);
        _d = Tensor.Uniform(new[] { 100, 128 }, -1, 1, rng);
    }

    [Benchmark(Description = "MatMul 100x784 · 784x128")]
    public double MatMul()
    {
        using var scope = TensorScope.Begin();
        return Ops.MatMul(_a, _b)[0, 0];
    }

    /// <summary>The backward's weight gradient xᵀ·d as the generated code computes it.</summary>
    [Benchmark(Description = "MatMulTransposeA(100x784, 100x128)")]
    public double MatMulTransposed()
    {
        using var scope = TensorScope.Begin();
        return GradientOps.MatMulTransposeA(_a, _d)[0, 0];
    }
}
