using System.Diagnostics;
using Differentiable.Data;
using Differentiable.Samples.Cli;
using Differentiable.Scheduling;
using Differentiable.Training;

namespace Differentiable.Samples.Training;

/// <summary>
/// The training loop on a device: the model's generated device program with the SGD update and the loss
/// accumulation appended, captured once as a graph and replayed per batch. The host uploads each batch (the same
/// seeded batches as the CPU loop) and reads the loss once per epoch; parameters come back to the CPU model at the
/// end of each epoch for evaluation and checkpoints.
/// </summary>
internal static class DeviceTrainingLoop
{
    public static IEnumerable<EpochResult> Run(IDeviceBackend backend, TrainableModel model, Sgd optimizer, MnistDataset train, MnistDataset test,
        int epochs, int batchSize, ulong seed, TextWriter progressOut)
    {
        if (model.DeviceLoss is null) throw new UsageException($"{model.Name} has no device program; train it with --device cpu.");
        if (optimizer.Dampening != 0) throw new UsageException("SGD with dampening runs on the CPU only; use --device cpu.");

        var shuffle = new Rng(seed);
        var batchesPerEpoch = (train.Count + batchSize - 1) / batchSize;
        DeviceStep? full = null, last = null;
        try
        {
            for (var epoch = 1; epoch <= epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                var progress = new ProgressBar(progressOut, $"epoch {epoch}/{epochs}", batchesPerEpoch);
                var seen = 0;
                foreach (var (x, y) in train.Batches(batchSize, shuffle))
                {
                    var step = y.Count == batchSize
                        ? full ??= new DeviceStep(backend, model, optimizer, x, y, shared: null)
                        : last ??= new DeviceStep(backend, model, optimizer, x, y, shared: full);
                    step.Run(x, y);
                    seen += y.Count;
                    progress.Advance($"on {backend.Name}");
                }
                var owner = full ?? last!;
                var trainLoss = owner.Device.TakeLossTotal() / seen;
                progress.Finish();
                if (!double.IsFinite(trainLoss))
                    throw new InvalidOperationException($"The training loss became {trainLoss} in epoch {epoch}; lower the learning rate (--lr).");
                owner.Device.DownloadParameters();
                var (testLoss, testAccuracy) = Evaluation.Evaluate(model, test);
                yield return new EpochResult(epoch, trainLoss, testLoss, testAccuracy, clock.Elapsed);
            }
        }
        finally
        {
            last?.Dispose();
            full?.Dispose();
        }
    }

    /// <summary>One batch size's program and its captured graph.</summary>
    private sealed class DeviceStep : IDisposable
    {
        private readonly TrainableModel _model;
        private readonly IReplayable _graph;

        public DeviceStep(IDeviceBackend backend, TrainableModel model, Sgd sgd, Tensor x, Labels y, DeviceStep? shared)
        {
            _model = model;
            var shapes = new Dictionary<string, int[]> { ["x"] = x.Shape.ToArray(), ["y"] = new[] { y.Count } };
            foreach (var (name, value) in model.DeviceExtraInputs?.Invoke(y.Count) ?? new Dictionary<string, Tensor>()) shapes[name] = value.Shape.ToArray();
            Device = new DeviceModel(backend, model.Name, model.Module, model.DeviceLoss!, shapes,
                p => TrainingKernels.AppendSgd(p, (float)sgd.LearningRate, (float)sgd.Momentum, (float)sgd.WeightDecay, sgd.Nesterov, y.Count),
                shared?.Device);
            _graph = Device.Runner.Capture();
        }

        public DeviceModel Device { get; }

        public void Run(Tensor x, Labels y)
        {
            Device.Upload("x", x);
            Device.Upload("y", y);
            foreach (var (name, value) in _model.DeviceExtraInputs?.Invoke(y.Count) ?? new Dictionary<string, Tensor>()) Device.Upload(name, value);
            _graph.Replay();
        }

        public void Dispose()
        {
            _graph.Dispose();
            Device.Dispose();
        }
    }
}
