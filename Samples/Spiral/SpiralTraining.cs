using Differentiable.Samples.Models;
using Differentiable.Training;

namespace Differentiable.Samples.Spiral;

/// <summary>
/// Full-batch gradient descent on the spiral points, as the CNN slides run it (step size 1, no momentum): the
/// generated gradient of each model's loss, one step per iteration.
/// </summary>
public static class SpiralTraining
{
    public sealed record Result(int Iterations, double Loss, double Accuracy, Func<Tensor, int[]> Predict);

    /// <param name="report">Called every <paramref name="every"/> iterations (and after the last) with the iteration and the loss.</param>
    public static Result Train(string model, Tensor x, Labels y, int iterations, double stepSize = 1.0, ulong seed = 1, int every = 1000,
        Action<int, double>? report = null)
    {
        var classes = y.Values.ToArray().Max() + 1;
        return model switch
        {
            "linear" => Run(new SpiralLinear(classes: classes, seed: seed), m => m.LossWithGradients(x, y), m => m.Scores, x, y, iterations, stepSize, every, report),
            "relu" => Run(new SpiralNet(classes: classes, seed: seed), m => m.LossWithGradients(x, y), m => m.Scores, x, y, iterations, stepSize, every, report),
            _ => throw new ArgumentException($"Unknown spiral model '{model}'; choose linear or relu.", nameof(model)),
        };
    }

    private static Result Run<TModel, TGradients>(TModel model, Func<TModel, (Tensor Value, TGradients Gradients)> step, Func<TModel, Func<Tensor, Tensor>> scores,
        Tensor x, Labels y, int iterations, double stepSize, int every, Action<int, double>? report)
        where TModel : IModule where TGradients : IGradients
    {
        var optimizer = new Sgd(model, stepSize);
        var loss = double.NaN;
        for (var i = 1; i <= iterations; i++)
        {
            var (value, gradients) = step(model);
            loss = value.Item();
            optimizer.Step(gradients);
            if (i % every == 0 || i == iterations) report?.Invoke(i, loss);
        }
        int[] Predict(Tensor points) => ArgMaxRows(scores(model)(points));
        var predicted = Predict(x);
        var accuracy = predicted.Where((p, i) => p == y[i]).Count() / (double)y.Count;
        return new Result(iterations, loss, accuracy, Predict);
    }

    private static int[] ArgMaxRows(Tensor scores)
    {
        var values = scores.ToFloatArray();
        var columns = scores.Shape[1];
        return Enumerable.Range(0, scores.Shape[0]).Select(r =>
        {
            var best = 0;
            for (var c = 1; c < columns; c++) if (values[r * columns + c] > values[r * columns + best]) best = c;
            return best;
        }).ToArray();
    }
}
