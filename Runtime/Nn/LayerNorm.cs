using static Differentiable.Ops;

namespace Differentiable.Nn;

/// <summary>
/// Layer normalisation over the last dimension, <c>torch.nn.LayerNorm(features, eps)</c> with its defaults
/// (elementwise affine, biased variance): y = (x − mean) / √(var + eps) ⊙ W + B, mean and variance over the last axis of
/// each row. W starts at ones and B at zeros, as PyTorch's weight and bias. Any shape whose last dimension is
/// <c>features</c>. Its gradient is derived from the composite (Mean, Sqrt, Div, ...): no rule of its own.
/// </summary>
public partial class LayerNorm
{
    /// <summary>The (features) scale, PyTorch's <c>weight</c>; starts at ones.</summary>
    [Parameter] public Tensor W;

    /// <summary>The (features) shift, PyTorch's <c>bias</c>; starts at zeros.</summary>
    [Parameter] public Tensor B;

    /// <summary>Added to the variance before the square root.</summary>
    public double Eps { get; }

    /// <summary>Normalises the last dimension, of size <paramref name="features"/>.</summary>
    public LayerNorm(int features, double eps = 1e-5)
    {
        if (features < 1) throw new ArgumentOutOfRangeException(nameof(features), features, "The normalised dimension must have at least one element.");
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be positive.");
        W = Tensor.Ones(new[] { features });
        B = Tensor.Zeros(new[] { features });
        Eps = eps;
    }

    /// <summary>Each row of <paramref name="x"/> (…, features) normalised to mean 0 and variance 1, then scaled by W and shifted by B.</summary>
    [Differentiable]
    public Tensor Forward(Tensor x)
    {
        var centered = x - Mean(x, axis: -1, keepDims: true);
        var variance = Mean(centered * centered, axis: -1, keepDims: true);
        return centered / Sqrt(variance + Eps) * W + B;
    }
}
