namespace Differentiable;

/// <summary>
/// Inverted dropout as data: a mask of 0 (dropped, probability p) and 1 / (1 − p) (kept) that a model multiplies
/// into its activations (<c>Relu(h) * mask</c>). The mask is drawn outside the [Differentiable] body and passed in
/// as a tensor argument, so generated code stays a pure function of its arguments (no random state, no training flag
/// inside the graph): the gradient of <c>h * mask</c> is just <c>dy * mask</c>, and evaluation passes <see cref="Off"/>.
/// </summary>
public static class Dropout
{
    /// <summary>A fresh mask of <paramref name="shape"/>: each element is 0 with probability <paramref name="p"/>, else 1 / (1 − p).</summary>
    public static Tensor Mask(int[] shape, double p, Rng rng, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "The dropout probability must be in [0, 1).");
        var mask = Tensor.Zeros(shape, dtype);
        var keep = 1.0 / (1.0 - p);
        for (var i = 0; i < mask.Length; i++) mask.SetFlat(i, rng.NextDouble() < p ? 0.0 : keep);
        return mask;
    }

    /// <summary>The evaluation-mode mask: all ones (dropout off).</summary>
    public static Tensor Off(int[] shape, DType dtype = DType.Float32) => Tensor.Ones(shape, dtype);
}
