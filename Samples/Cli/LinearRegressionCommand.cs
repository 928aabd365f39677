using System.Globalization;
using Differentiable.Samples.Models;
using Differentiable.Training;

namespace Differentiable.Samples.Cli;

/// <summary>
/// <c>linreg</c>: the seed's synthetic regression, y = X·w + b + noise with w = [2, −3.4], b = 4.2, fitted by SGD
/// on mean squared error through the generated gradient; prints the learned w and b.
/// </summary>
internal static class LinearRegressionCommand
{
    public const string Usage = "linreg [--samples 1000] [--epochs 3] [--lr 0.03] [--batch 10] [--seed 1]";

    public static int Run(Arguments args)
    {
        var samples = args.Int("samples", 1000, min: 1);
        var epochs = args.Int("epochs", 3, min: 1);
        var learningRate = args.Double("lr", 0.03, min: 1e-12);
        var batchSize = args.Int("batch", 10, min: 1);
        var seed = (ulong)args.Int("seed", 1, min: 0);
        args.EnsureAllUsed();

        var rng = new Rng(seed);
        var trueW = Tensor.FromArray(new float[] { 2f, -3.4f }, 2, 1);
        const double trueB = 4.2;
        var x = Tensor.Randn(new[] { samples, 2 }, rng);
        var y = x.MatMul(trueW) + trueB + Tensor.Randn(new[] { samples, 1 }, rng) * 0.01;

        var model = new LinearRegression(features: 2, seed: seed);
        var optimizer = new Sgd(model, learningRate);
        var order = Enumerable.Range(0, samples).ToArray();
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            rng.Shuffle(order);
            for (var start = 0; start < samples; start += batchSize)
            {
                var rows = order.AsSpan(start, Math.Min(batchSize, samples - start)).ToArray();
                var (_, gradients) = model.LossWithGradients(Rows(x, rows), Rows(y, rows));
                optimizer.Step(gradients);
            }
            Console.WriteLine($"epoch {epoch}, loss {model.Loss(x, y).Item().ToString("F6", CultureInfo.InvariantCulture)}");
        }

        var w = model.W.ToFloatArray();
        var b = model.B.Item();
        Console.WriteLine($"learned w = [{w[0]:F4}, {w[1]:F4}] (true [2, -3.4]), b = {b:F4} (true 4.2)");
        Console.WriteLine($"error in w: [{2 - w[0]:F4}, {-3.4 - w[1]:F4}], error in b: {trueB - b:F4}");
        return 0;
    }

    private static Tensor Rows(Tensor t, int[] rows)
    {
        var columns = t.Shape[1];
        var source = t.ToFloatArray();
        var result = new float[rows.Length * columns];
        for (var i = 0; i < rows.Length; i++) Array.Copy(source, rows[i] * columns, result, i * columns, columns);
        return Tensor.FromArray(result, rows.Length, columns);
    }
}
