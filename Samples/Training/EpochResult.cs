namespace Differentiable.Samples.Training;

/// <summary>One row of the training table.</summary>
internal sealed record EpochResult(int Epoch, double TrainLoss, double TestLoss, double TestAccuracy, TimeSpan Time);
