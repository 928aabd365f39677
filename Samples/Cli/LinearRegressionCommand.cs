using System.CommandLine;
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
    public static Command Create()
    {
        var samples = Options.Int("samples", 1000, 1, "samples to generate");
        var epochs = Options.Int("epochs", 3, 1, "passes over the samples");
        var learningRate = Options.Double("lr", 0.03, 1e-12, "SGD's learning rate");
        var batchSize = Options.Int("batch", 10, 1, "samples per step");
        var seed = Options.Int("seed", 1, 0, "seeds the data and the initial weights");
        var command = new Command("linreg", "the seed's linear regression: fit y = X·w + b by SGD through the generated gradient")
        {
            samples, epochs, learningRate, batchSize, seed,
        };
        command.SetAction(r => Run(r.GetValue(samples), r.GetValue(epochs), r.GetValue(learningRate), r.GetValue(batchSize), (ulong)r.GetValue(seed)));
        return command;
    }

    private static int Run(int samples, int epochs, double learningRate, int batchSize, ulong seed)
    {

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
