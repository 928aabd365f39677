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

    private static double Bound(int fanIn) =>
        fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : throw new ArgumentOutOfRangeException(nameof(fanIn), fanIn, "fanIn must be positive.");
}
