using System.Diagnostics;
using Differentiable.Data;
using Differentiable.Samples.Cli;
using Differentiable.Training;

namespace Differentiable.Samples.Training;

/// <summary>Epochs of seeded shuffled mini-batches: one generated loss-and-gradients call and one optimizer step per batch.</summary>
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
            var progress = new ProgressBar(progressOut, $"epoch {epoch}/{epochs}", batchesPerEpoch);
            double lossSum = 0;
            var seen = 0;
            foreach (var (x, y) in train.Batches(batchSize, shuffle))
            {
                var (loss, gradients) = model.LossWithGradients(x, y);
                optimizer.Step(gradients);
                var value = loss.Item();
                if (!double.IsFinite(value))
                    throw new InvalidOperationException($"The training loss became {value} in epoch {epoch}; lower the learning rate (--lr).");
                lossSum += value * y.Count;
                seen += y.Count;
                progress.Advance($"loss {lossSum / seen:F4}");
            }
            progress.Finish();
            var (testLoss, testAccuracy) = Evaluation.Evaluate(model, test);
            yield return new EpochResult(epoch, lossSum / seen, testLoss, testAccuracy, clock.Elapsed);
        }
    }
}
