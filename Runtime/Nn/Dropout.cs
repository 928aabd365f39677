using static Differentiable.Ops;

namespace Differentiable.Nn;

/// <summary>
/// Inverted dropout, <c>torch.nn.Dropout</c>: while training, each element of the input is zeroed with probability
/// <see cref="P"/> and the rest are scaled by 1 / (1 − p); in evaluation it is the identity. Switch a whole model with
/// <c>model.Train()</c> / <c>model.Eval()</c> (<see cref="TrainingModeExtensions"/>); a new layer is in training mode,
/// as PyTorch's modules are.
/// <para>
/// The generated code stays a pure function: <see cref="Forward"/> is <c>x ⊙ DropoutMask(x, Rate, MaskSeed)</c>, the
/// mask a function of its seed, and the seed is what changes between calls. Each read of <see cref="MaskSeed"/> while
/// training draws a fresh seed from the layer's generator (the model's, when the model passes its <see cref="Rng"/>),
/// so each call — eager, or a generated forward-with-pullback — drops a fresh, reproducible set of elements, and its
/// backward (d_x = d_y ⊙ mask) uses the mask its forward drew.
/// </para>
/// </summary>
public partial class Dropout : ITrainingMode
{
    private readonly Rng _rng;

    /// <summary>The probability of zeroing an element while training.</summary>
    public double P { get; }

    /// <inheritdoc/>
    public bool Training { get; set; } = true;

    /// <summary>Dropout with probability <paramref name="p"/> in [0, 1), its masks drawn from <paramref name="rng"/>.</summary>
    public Dropout(double p, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "The dropout probability must be in [0, 1).");
        P = p;
        _rng = rng;
    }

    /// <summary>Dropout with probability <paramref name="p"/> (PyTorch's default 0.5), its masks drawn from a generator seeded with <paramref name="seed"/>.</summary>
    public Dropout(double p = 0.5, ulong seed = 1) : this(p, new Rng(seed)) { }

    /// <summary>Training mode (the default): drop. Returns the layer; a model's <c>Train()</c> sets every layer it holds.</summary>
    public Dropout Train(bool training = true)
    {
        Training = training;
        return this;
    }

    /// <summary>Evaluation mode: the identity. Returns the layer.</summary>
    public Dropout Eval() => Train(false);

    /// <summary>The probability this call drops with: <see cref="P"/> while training, 0 in evaluation.</summary>
    public double Rate => Training ? P : 0;

    /// <summary>The seed of this call's mask: while training, each read draws a fresh one (53 bits) from the generator; 0 in evaluation (no draw).</summary>
    public double MaskSeed => Training && P > 0 ? _rng.NextUInt64() >> 11 : 0;

    /// <summary>x with elements zeroed with probability <see cref="Rate"/> and the rest scaled by 1 / (1 − rate): any shape.</summary>
    [Differentiable]
    public Tensor Forward(Tensor x) => x * DropoutMask(x, Rate, MaskSeed);
}
