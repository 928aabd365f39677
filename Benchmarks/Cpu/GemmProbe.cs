using System.Diagnostics;

namespace Differentiable.Benchmarks;

/// <summary>
/// `gemm-probe [MxKxN ...]`: the matrix products of a training step alone, each as the forward (A·B), the weight
/// gradient (Aᵀ·dY, A read transposed in place) and the input gradient (dY·Bᵀ): the best of 7 rounds of 60 calls after
/// 400 ms of warm-up (so the JIT's later tiers have replaced the first code), in µs and GFLOP/s. A quick look, in this
/// process, at how close the products come to the machine's peak (`peak`); not a benchmark.
/// </summary>
public static class GemmProbe
{
    public static int Run(string[] args)
    {
        var shapes = args.Length > 0
            ? args.Select(a => a.Split('x').Select(int.Parse).ToArray()).Select(v => (M: v[0], K: v[1], N: v[2])).ToArray()
            : new[] { (100, 784, 512), (100, 512, 512), (100, 512, 10), (1000, 784, 128), (1000, 128, 128), (1000, 128, 10), (100, 784, 128) };
        var rng = new Rng(1);
        foreach (var (m, k, n) in shapes)
        {
            var a = Tensor.Uniform(new[] { m, k }, -1, 1, rng);
            var b = Tensor.Uniform(new[] { k, n }, -1, 1, rng);
            var d = Tensor.Uniform(new[] { m, n }, -1, 1, rng);
            var flops = 2.0 * m * k * n;
            Report($"{m}x{k} · {k}x{n}", flops, () => Ops.MatMul(a, b));
            Report($"({m}x{k})ᵀ · {m}x{n}", flops, () => GradientOps.MatMulTransposeA(a, d));
            Report($"{m}x{n} · ({k}x{n})ᵀ", flops, () => GradientOps.MatMulTransposeB(d, b));
        }
        return 0;
    }

    private static void Report(string name, double flops, Func<Tensor> product)
    {
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 400) Call(product);
        var best = double.MaxValue;
        for (var round = 0; round < 7; round++)
        {
            const int calls = 60;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++) Call(product);
            best = Math.Min(best, clock.Elapsed.TotalMilliseconds * 1000 / calls);
        }
        Console.WriteLine($"{name,-28} {best,9:F1} µs {flops / best / 1e3,8:F1} GFLOP/s");
    }

    private static void Call(Func<Tensor> product)
    {
        using var scope = TensorScope.Begin();
        product();
    }
}
