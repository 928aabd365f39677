using System.CommandLine;
using Differentiable.Samples.Plots;
using Differentiable.Samples.Spiral;

namespace Differentiable.Samples.Cli;

/// <summary>
/// <c>spiral</c>: the CNN slides' spiral classifiers — three interleaved arms of 100 points, a linear classifier or a
/// net with one hidden ReLU layer, full-batch gradient descent with L2 regularisation — printing the loss as it goes,
/// the training accuracy, and a picture of the decision regions.
/// </summary>
internal static class SpiralCommand
{
    public static Command Create()
    {
        var model = Options.Choice("model", "relu", new[] { "linear", "relu" }, "a linear classifier, or one hidden ReLU layer of 100 units");
        var iterations = Options.OptionalInt("iterations", 1, "gradient steps [default: linear 200, relu 10000, as the slides]");
        var seed = Options.Int("seed", 1, 0, "seeds the points' noise and the initial weights");
        var output = new Option<string>("--out") { Description = "where the picture goes", DefaultValueFactory = _ => "out" };
        var command = new Command("spiral", "the slides' spiral classifiers: loss, accuracy and a decision-boundary picture") { model, iterations, seed, output };
        command.SetAction(r =>
        {
            var name = r.GetValue(model)!;
            return Run(name, r.GetValue(iterations) ?? (name == "linear" ? 200 : 10_000), (ulong)r.GetValue(seed), r.GetValue(output)!);
        });
        return command;
    }

    private static int Run(string model, int iterations, ulong seed, string outDirectory)
    {
        var (x, y) = SpiralData.Generate(classes: 3, perClass: 100, seed: seed);
        Console.WriteLine($"spiral: 3 classes × 100 points, {(model == "linear" ? "linear classifier" : "2-100-3 ReLU net")}, step size 1, L2 1e-3, {iterations} iterations");
        var every = Math.Max(1, iterations / 10);
        var result = SpiralTraining.Train(model, x, y, iterations, seed: seed, every: every,
            report: (i, loss) => Console.WriteLine($"iteration {i,6}: loss {loss:F4}"));
        Directory.CreateDirectory(outDirectory);
        var picture = DecisionBoundary.Save(result.Predict, x, y, classes: 3,
            $"spiral, {model}: training accuracy {result.Accuracy * 100:F1}%", Path.Combine(outDirectory, $"spiral-{model}.png"));
        Console.WriteLine($"Wrote {Path.GetFullPath(picture)}");
        Console.WriteLine($"Training accuracy (%):");
        Console.WriteLine((result.Accuracy * 100).ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
        return 0;
    }
}
