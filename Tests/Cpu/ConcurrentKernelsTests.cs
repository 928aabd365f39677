namespace Differentiable.Tests.Cpu;

/// <summary>
/// The CPU kernels fork onto shared worker threads (Runtime/Cpu/CpuParallel.cs). Forks from several threads at once
/// (one runs on the workers, the others inline) and back-to-back forks must give every caller the same bits as a
/// lone call: each part owns its output, whoever runs it.
/// </summary>
public class ConcurrentKernelsTests
{
    [Fact]
    public void ProductsAndConvolutionsFromManyThreadsAtOnceGiveTheLoneCallsBits()
    {
        var rng = new Rng(31);
        var a = Tensor.Randn(new[] { 300, 400 }, rng);
        var b = Tensor.Randn(new[] { 400, 200 }, rng);
        var x = Tensor.Randn(new[] { 16, 3, 20, 20 }, rng);
        var w = Tensor.Randn(new[] { 8, 3, 5, 5 }, rng);
        var dy = Tensor.Randn(new[] { 16, 8, 16, 16 }, rng);
        float[][] Compute() => new[]
        {
            Ops.MatMul(a, b).ToFloatArray(),
            GradientOps.MatMulTransposeA(a, Ops.MatMul(a, b)).ToFloatArray(),
            Ops.Conv2d(x, w).ToFloatArray(),
            GradientOps.Conv2dWeightGradient(dy, x, w).ToFloatArray(),
            GradientOps.Conv2dInputGradient(dy, w, x).ToFloatArray(),
            Ops.MaxPool2d(x, 2).ToFloatArray(),
        };
        var alone = Compute();
        var results = new float[8][][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            for (var repeat = 0; repeat < 3; repeat++) results[t] = Compute();
        });
        foreach (var result in results)
            for (var i = 0; i < alone.Length; i++) Assert.Equal(alone[i], result[i]);
    }
}
