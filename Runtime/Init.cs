namespace Differentiable;

/// <summary>Parameter initialisers matching torch.nn defaults, so models start where their PyTorch twins do.</summary>
public static class Init
{
    /// <summary>
    /// A (fanIn, fanOut) weight — stored in×out so that a layer is x·W — drawn from U(−1/√fanIn, 1/√fanIn),
    /// torch.nn.Linear's default (kaiming_uniform with a = √5 reduces to this bound).
    /// </summary>
    public static Tensor Linear(int fanIn, int fanOut, Rng rng) => Tensor.Uniform(new[] { fanIn, fanOut }, -Bound(fanIn), Bound(fanIn), rng);

    /// <summary>A (fanOut) bias from the same U(−1/√fanIn, 1/√fanIn).</summary>
    public static Tensor LinearBias(int fanIn, int fanOut, Rng rng) => Tensor.Uniform(new[] { fanOut }, -Bound(fanIn), Bound(fanIn), rng);

    /// <summary>
    /// A (outChannels, inChannels, kernel, kernel) convolution weight from U(−1/√fanIn, 1/√fanIn) with
    /// fanIn = inChannels·kernel², torch.nn.Conv2d's default.
    /// </summary>
    public static Tensor Conv2d(int outChannels, int inChannels, int kernel, Rng rng) =>
        Tensor.Uniform(new[] { outChannels, inChannels, kernel, kernel }, -Bound(inChannels * kernel * kernel), Bound(inChannels * kernel * kernel), rng);

    /// <summary>A (outChannels) convolution bias from the same bound as <see cref="Conv2d"/>.</summary>
    public static Tensor Conv2dBias(int outChannels, int inChannels, int kernel, Rng rng) =>
        Tensor.Uniform(new[] { outChannels }, -Bound(inChannels * kernel * kernel), Bound(inChannels * kernel * kernel), rng);

    private static double Bound(int fanIn) =>
        fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : throw new ArgumentOutOfRangeException(nameof(fanIn), fanIn, "fanIn must be positive.");
}
