using System.Diagnostics;
using Differentiable.Data;
using Differentiable.Samples.Cli;
using Differentiable.Training;

namespace Differentiable.Samples.Training;

/// <summary>
/// Epochs of seeded shuffled mini-batches: one generated loss-and-gradients call and one optimizer step per batch,
/// each inside a <see cref="TensorScope"/> so that a steady loop allocates no tensor memory.
/// </summary>
internal static class TrainingLoop
{
    public static IEnumerable<EpochResult> Run(TrainableModel model, Optimizer optimizer, MnistDataset train, MnistDataset test,
        int epochs, int batchSize, ulong seed, TextWriter progressOut)
    {
        var shuffle = new Rng(seed);
        var batchesPerEpoch = (train.Count + batchSize - 1) / batchSize;
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            using var progress = new EpochProgress(progressOut, $"epoch {epoch}/{epochs}", batchesPerEpoch);
            double lossSum = 0;
            var seen = 0;
            using var batches = train.Batches(batchSize, shuffle).GetEnumerator();
            while (true)
            {
                double value;
                int count;
                // One scope per step: the batch, every intermediate and the gradients reuse the previous step's memory.
                using (TensorScope.Begin())
                {
                    if (!batches.MoveNext()) break;
                    var (x, y) = batches.Current;
                    var (loss, gradients) = model.LossWithGradients(x, y);
                    optimizer.Step(gradients);
                    (value, count) = (loss.Item(), y.Count);
                }
                if (!double.IsFinite(value))
                    throw new TrainingDivergedException($"The training loss became {value} in epoch {epoch}; lower the learning rate (--lr).");
                lossSum += value * count;
                seen += count;
                progress.Advance($"loss {lossSum / seen:F4}");
            }
            progress.Finish();
            var (testLoss, testAccuracy) = Evaluation.Evaluate(model, test);
            yield return new EpochResult(epoch, lossSum / seen, testLoss, testAccuracy, clock.Elapsed);
        }
    }
}
