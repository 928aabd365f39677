namespace Differentiable.Training;

/// <summary>
/// Changes an optimizer's learning rate once per <see cref="Step"/> (usually once per epoch), as PyTorch's
/// <c>torch.optim.lr_scheduler</c> classes do: constructing one leaves the optimizer at its initial rate (epoch 0);
/// each <see cref="Step"/> moves to the next epoch and sets that epoch's rate.
/// </summary>
public abstract class LearningRateScheduler
{
    protected LearningRateScheduler(Optimizer optimizer)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        BaseLearningRate = optimizer.LearningRate;
    }

    public Optimizer Optimizer { get; }

    /// <summary>The optimizer's rate when the scheduler was made.</summary>
    public double BaseLearningRate { get; }

    /// <summary>Steps taken so far (PyTorch's <c>last_epoch</c>).</summary>
    public int Epoch { get; private set; }

    /// <summary>Moves to the next epoch and sets the optimizer's learning rate for it.</summary>
    public void Step()
    {
        Epoch++;
        Optimizer.LearningRate = Next(Epoch, Optimizer.LearningRate);
    }

    /// <summary>The rate for <paramref name="epoch"/>, given the rate of the epoch before (PyTorch's recursive forms need it).</summary>
    protected abstract double Next(int epoch, double previous);
}

/// <summary>PyTorch's <c>StepLR</c>: the rate times <see cref="Gamma"/> every <see cref="StepSize"/> epochs.</summary>
public sealed class StepLR : LearningRateScheduler
{
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        if (!(gamma > 0)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be positive.");
        (StepSize, Gamma) = (stepSize, gamma);
    }

    public int StepSize { get; }
    public double Gamma { get; }

    // As PyTorch: multiply the current rate at each multiple of the step size (so a rate changed by hand carries on).
    protected override double Next(int epoch, double previous) => epoch % StepSize == 0 ? previous * Gamma : previous;
}

/// <summary>
/// PyTorch's <c>CosineAnnealingLR</c>: the rate follows half a cosine from the base rate down to
/// <see cref="MinimumLearningRate"/> over <see cref="Period"/> epochs, then back up, and so on; computed with
/// PyTorch's recursive form, so the numbers are PyTorch's.
/// </summary>
public sealed class CosineAnnealingLR : LearningRateScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int period, double minimumLearningRate = 0) : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(period);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLearningRate);
        (Period, MinimumLearningRate) = (period, minimumLearningRate);
    }

    /// <summary>PyTorch's <c>T_max</c>.</summary>
    public int Period { get; }

    /// <summary>PyTorch's <c>eta_min</c>.</summary>
    public double MinimumLearningRate { get; }

    protected override double Next(int epoch, double previous)
    {
        var (t, min) = ((double)Period, MinimumLearningRate);
        if ((epoch - 1 - Period) % (2 * Period) == 0)
            return previous + (BaseLearningRate - min) * (1 - Math.Cos(Math.PI / t)) / 2;
        return (1 + Math.Cos(Math.PI * epoch / t)) / (1 + Math.Cos(Math.PI * (epoch - 1) / t)) * (previous - min) + min;
    }
}
