using System.Diagnostics;
using Differentiable.Data;
using Differentiable.Samples.Cli;
using Differentiable.Scheduling;
using Differentiable.Training;

namespace Differentiable.Samples.Training;

/// <summary>
/// The training loop on a device: the training set uploaded once (<see cref="DeviceDataset"/>), and the model's
/// generated device program, preceded by the gather of the next batch from it and followed by the SGD update and the
/// loss accumulation, captured once as a graph and replayed per batch. Per epoch the host uploads only the sample
/// order (the same seeded order as the CPU loop, so both train on the same batches) and then just replays; it waits
/// for the device once per epoch, to read the loss and bring the parameters back to the CPU model for evaluation and
/// checkpoints.
/// </summary>
internal static class DeviceTrainingLoop
{
    public static IEnumerable<EpochResult> Run(IDeviceBackend backend, TrainableModel model, Optimizer optimizer, MnistDataset train, MnistDataset test,
        int epochs, int batchSize, ulong seed, TextWriter progressOut)
    {
        if (model.DeviceLoss is null) throw new UsageException($"{model.Name} has no device program; train it with --device cpu.");

        var shuffle = new Rng(seed);
        var (fullBatches, remainder) = Math.DivRem(train.Count, batchSize);
        using var dataset = new DeviceDataset(backend, train);
        DeviceStep? full = null, last = null;
        try
        {
            // Both programs read the same data set, order and cursor: the last one gathers the remainder where the full ones stopped.
            if (fullBatches > 0) full = new DeviceStep(backend, model, optimizer, dataset, batchSize, shared: null);
            if (remainder > 0) last = new DeviceStep(backend, model, optimizer, dataset, remainder, shared: full);
            var owner = full ?? last!;
            for (var epoch = 1; epoch <= epochs; epoch++)
            {
                var clock = Stopwatch.StartNew();
                using var progress = new EpochProgress(progressOut, $"epoch {epoch}/{epochs}", fullBatches + (last is null ? 0 : 1));
                dataset.BeginEpoch(Batching.EpochOrder(train.Count, shuffle));
                for (var batch = 0; batch < fullBatches; batch++)
                {
                    full!.Run();
                    progress.Advance($"on {backend.Name}");
                }
                if (last is not null)
                {
                    last.Run();
                    progress.Advance($"on {backend.Name}");
                }
                var trainLoss = owner.Device.TakeLossTotal() / train.Count;
                progress.Finish();
                if (!double.IsFinite(trainLoss))
                    throw new TrainingDivergedException($"The training loss became {trainLoss} in epoch {epoch}; lower the learning rate (--lr).");
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

    /// <summary>One batch size's program, fed from the device data set, and its captured graph.</summary>
    private sealed class DeviceStep : IDisposable
    {
        private readonly TrainableModel _model;
        private readonly int _batchSize;
        private readonly IReplayable _graph;

        public DeviceStep(IDeviceBackend backend, TrainableModel model, Optimizer optimizer, DeviceDataset dataset, int batchSize, DeviceStep? shared)
        {
            _model = model;
            _batchSize = batchSize;
            var shapes = new Dictionary<string, int[]> { ["x"] = new[] { batchSize, dataset.ValuesPerSample }, ["y"] = new[] { batchSize } };
            foreach (var (name, value) in model.DeviceExtraInputs?.Invoke(batchSize) ?? new Dictionary<string, Tensor>()) shapes[name] = value.Shape.ToArray();
            Device = new DeviceModel(backend, model.Name, model.Module, model.DeviceLoss!, shapes,
                extend: p => TrainingKernels.AppendUpdate(p, optimizer, batchSize),
                shared: shared?.Device,
                prologue: p => BatchKernels.AppendNextBatch(p, dataset, "x", "y"),
                bound: dataset.Buffers);
            _graph = Device.Runner.Capture();
        }

        public DeviceModel Device { get; }

        /// <summary>
        /// Trains on the next batch of the epoch, which the graph gathers on the device. Extra per-step inputs
        /// (<see cref="TrainableModel.DeviceExtraInputs"/>: dropout masks, drawn on the host) are the one thing still
        /// uploaded before each replay.
        /// </summary>
        public void Run()
        {
            foreach (var (name, value) in _model.DeviceExtraInputs?.Invoke(_batchSize) ?? new Dictionary<string, Tensor>()) Device.Upload(name, value);
            _graph.Replay();
        }

        public void Dispose()
        {
            _graph.Dispose();
            Device.Dispose();
        }
    }
}
