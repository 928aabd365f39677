using System.CommandLine;
using System.Globalization;
using Differentiable.Checkpoints;
using Differentiable.Data;
using Differentiable.Samples.Plots;
using Differentiable.Samples.Training;
using Differentiable.Training;

namespace Differentiable.Samples.Cli;

/// <summary>
/// <c>train</c>: trains a sample classifier on MNIST digits and prints a table row per epoch, then the pictures'
/// paths, then the final test accuracy (percent) alone on the last line, for scripts.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = Options.Choice("model", "flatnet", TrainableModel.Names, "the sample classifier to train");
        var epochs = Options.Int("epochs", 10, 1, "passes over the training digits");
        var learningRate = Options.OptionalDouble("lr", 1e-12, "the learning rate [default: the model's; 0.01, LeNet and inception 0.05]");
        var momentum = Options.OptionalDouble("momentum", 0, "SGD's momentum [default: the model's; 0.5, LeNet and inception 0.9]");
        var batchSize = Options.Int("batch", 100, 1, "digits per step");
        var seed = Options.Int("seed", 1, 0, "seeds the weights, the shuffles and the dropout masks");
        var optimizer = Options.Choice("optimizer", "sgd", new[] { "sgd", "adam" }, "the optimizer");
        var device = Options.Choice("device", "cpu", DeviceChoice.Names,
            "where to train: cuda (the generated CUDA kernels, one CUDA graph per step), cpu, or auto (the GPU when there is one)");
        var labels = Options.Choice("labels", "digits", ClassNames.Choices, "what the classes are called in the pictures: digits, or Fashion-MNIST's names (with --data)");
        var data = Options.Text("data", "train on the full MNIST IDX files in this folder (train-images-idx3-ubyte[.gz], ...) instead of npm's 10,000 digits");
        var output = new Option<string>("--out") { Description = "where the PNG pictures go", DefaultValueFactory = _ => "out" };
        var save = Options.Text("save", "write the trained weights to this safetensors file (checked before training)");
        var load = Options.Text("load", "start from the weights in this safetensors file");
        var limit = Options.OptionalInt("limit", 1, "use only the first N training digits (quick runs)");
        var command = new Command("train", "train a sample classifier on MNIST digits: a table row per epoch, pictures, the final accuracy on the last line")
        {
            model, epochs, learningRate, momentum, batchSize, seed, optimizer, device, data, labels, output, save, load, limit,
        };
        command.SetAction(r => Run(new Settings(r.GetValue(model)!, r.GetValue(epochs), r.GetValue(learningRate), r.GetValue(momentum), r.GetValue(batchSize),
            (ulong)r.GetValue(seed), r.GetValue(optimizer)!, r.GetValue(data), r.GetValue(output)!, r.GetValue(save), r.GetValue(load), r.GetValue(limit) ?? int.MaxValue,
            r.GetValue(device)!, r.GetValue(labels)!)));
        return command;
    }

    private sealed record Settings(string Model, int Epochs, double? LearningRate, double? Momentum, int BatchSize, ulong Seed, string Optimizer,
        string? Data, string Out, string? Save, string? Load, int Limit, string Device, string Labels);

    private static int Run(Settings settings)
    {
        var (modelName, epochs, givenLearningRate, givenMomentum, batchSize, seed, optimizerName, dataDirectory, outDirectory, savePath, loadPath, limit, deviceName, labelNames) = settings;
        // Outputs are checked before any training: a bad --save path must not cost the run.
        if (savePath is not null)
        {
            if (string.IsNullOrWhiteSpace(savePath)) throw new UsageException("--save needs a file name.");
            Safetensors.CheckSavePath(savePath);
        }

        var (train, test) = dataDirectory is null ? DefaultDigits.Load(log: Console.Out) : MnistDataset.LoadDirectory(dataDirectory);
        if (train.Count == 0 || test.Count == 0)
            throw new DataUnavailableException($"The data set{(dataDirectory is null ? "" : " in " + dataDirectory)} has {train.Count} training and {test.Count} test images; training needs at least one of each.");
        // The sample nets take 28×28 digits; other images would fail deep inside the first product.
        if (train.PixelsPerImage != 28 * 28 || test.PixelsPerImage != 28 * 28)
            throw new DataUnavailableException($"The images{(dataDirectory is null ? "" : " in " + dataDirectory)} have {train.PixelsPerImage} pixels each; the sample models take MNIST's 28×28 = 784.");
        if (limit < train.Count) train = train.Slice(Enumerable.Range(0, limit).ToArray());
        var model = TrainableModel.Create(modelName, seed);
        var learningRate = givenLearningRate ?? (optimizerName == "adam" ? 1e-3 : model.Defaults.LearningRate);
        var momentum = givenMomentum ?? model.Defaults.Momentum;
        if (loadPath is not null)
        {
            Safetensors.Load(model.Module, loadPath);
            // NaN or infinite weights load fine and then make every loss NaN: say where they are instead.
            if (model.Module.Parameters().FirstOrDefault(p => !p.Value.ToDoubleArray().All(double.IsFinite)) is { } broken)
                throw new CheckpointException(loadPath, $"{broken.Name} holds NaN or infinite values; training cannot start from it", broken.Name);
            Console.WriteLine($"Loaded weights from {loadPath}");
        }
        Optimizer optimizer = optimizerName == "adam"
            ? new Adam(model.Module, learningRate)
            : new Sgd(model.Module, learningRate, momentum: momentum);

        Console.WriteLine($"{model.Name}, {model.Module.ParameterCount():N0} parameters; {train.Count:N0} training and {test.Count:N0} test digits; " +
                          $"{optimizerName} lr {Number(learningRate)}{(optimizerName == "sgd" ? $" momentum {Number(momentum)}" : "")}, batch {batchSize}, seed {seed}");
        using var backend = DeviceChoice.Open(deviceName, Console.Out);
        var onDevice = backend is not null;
        Console.WriteLine($"Device: {(onDevice ? backend!.Name : "CPU")}");
        Console.WriteLine("epoch  train loss  test loss  test acc    time");
        var history = new List<EpochResult>();
        var rows = onDevice
            ? DeviceTrainingLoop.Run(backend!, model, optimizer, train, test, epochs, batchSize, seed, Console.Error)
            : TrainingLoop.Run(model, optimizer, train, test, epochs, batchSize, seed, Console.Error);
        foreach (var row in rows)
        {
            history.Add(row);
            Console.WriteLine($"{row.Epoch,5}  {row.TrainLoss,10:F4}  {row.TestLoss,9:F4}  {row.TestAccuracy * 100,7:F2}%  {row.Time.TotalSeconds,5:F1}s");
        }

        if (savePath is not null)
        {
            Safetensors.Save(model.Module, savePath);
            Console.WriteLine($"Saved weights to {savePath}");
        }

        // A folder per run, so a run never overwrites the pictures of the one before; <model>-latest names the newest.
        var runDirectory = NewRunDirectory(outDirectory, $"{modelName}-{DateTime.Now:yyyyMMdd-HHmmss}");
        var fashion = labelNames == "fashion";
        var title = $"{model.Name} on {(fashion ? "Fashion-MNIST" : "MNIST")}";
        var pictures = new[]
        {
            CurvePlot.SaveLoss(history, title, Path.Combine(runDirectory, "loss.png")),
            CurvePlot.SaveAccuracy(history, title, Path.Combine(runDirectory, "accuracy.png")),
            SaveDigitGrid(model, test, $"{title}: test {(fashion ? "images" : "digits")}, true → predicted, mistakes in red",
                Path.Combine(runDirectory, "digits.png"), ClassNames.For(labelNames)),
        };
        foreach (var picture in pictures) Console.WriteLine($"Wrote {Path.GetFullPath(picture)}");
        PointLatestAt(outDirectory, modelName, runDirectory);

        Console.WriteLine("Final test accuracy (%):");
        Console.WriteLine((history[^1].TestAccuracy * 100).ToString("F2", CultureInfo.InvariantCulture));
        return 0;
    }

    private static string SaveDigitGrid(TrainableModel model, MnistDataset test, string title, string path, IReadOnlyList<string>? classNames)
    {
        var first = test.Slice(Enumerable.Range(0, Math.Min(24, test.Count)).ToArray());
        var predicted = Evaluation.Predict(model, first.Images);
        return DigitGrid.Save(first.Images, first.Labels, predicted, columns: 8, title, path, classNames);
    }

    /// <summary>A folder no other run has: the name, or name-2, name-3, ... when runs start within the same second.</summary>
    private static string NewRunDirectory(string outDirectory, string name)
    {
        Directory.CreateDirectory(outDirectory);
        for (var k = 1; ; k++)
        {
            var path = Path.Combine(outDirectory, k == 1 ? name : $"{name}-{k}");
            if (Directory.Exists(path)) continue;
            try
            {
                // CreateDirectory succeeds on an existing folder, so claim the name with a marker file made exclusively.
                Directory.CreateDirectory(path);
                using (new FileStream(Path.Combine(path, ".run"), FileMode.CreateNew)) { }
                return path;
            }
            catch (IOException) when (File.Exists(Path.Combine(path, ".run"))) { }
        }
    }

    /// <summary>Makes <c>out/&lt;model&gt;-latest</c> a link to the newest run's folder (where links can be made; the paths above are printed anyway).</summary>
    private static void PointLatestAt(string outDirectory, string modelName, string runDirectory)
    {
        var latest = Path.Combine(outDirectory, modelName + "-latest");
        try
        {
            if (new FileInfo(latest).LinkTarget is not null || File.Exists(latest)) File.Delete(latest);
            if (!Directory.Exists(latest)) Directory.CreateSymbolicLink(latest, Path.GetFileName(runDirectory));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
