namespace Differentiable;

public static partial class Ops
{
    /// <summary>
    /// An inverted-dropout mask shaped like <paramref name="like"/>: each element 0 with probability <paramref name="p"/>,
    /// else 1 / (1 − p), drawn from a generator seeded with <paramref name="seed"/> (a whole number in [0, 2^53)). A pure
    /// function of its arguments: the same seed gives the same mask, so generated code that multiplies it in stays a
    /// function of what it is given. p = 0 gives all ones (no dropout). The generator gives it no gradient.
    /// <see cref="Nn.Dropout"/> is the layer that draws a fresh seed per call while training.
    /// </summary>
    public static Tensor DropoutMask(Tensor like, double p, double seed)
    {
        ArgumentNullException.ThrowIfNull(like);
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "The dropout probability must be in [0, 1).");
        if (!(seed >= 0 && seed < 9007199254740992.0 && seed == Math.Floor(seed)))
            throw new ArgumentOutOfRangeException(nameof(seed), seed, "The seed must be a whole number in [0, 2^53).");
        var shape = like.ShapeArray.ToArray();
        return p == 0 ? Tensor.Ones(shape, like.DType) : Differentiable.Dropout.Mask(shape, p, new Rng((ulong)seed), like.DType);
    }
}
