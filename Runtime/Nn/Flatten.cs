namespace Differentiable.Nn;

/// <summary>
/// <c>torch.nn.Flatten()</c> with its defaults (start_dim 1): (n, ...) → (n, rest), what sits between convolutional and
/// linear layers. No parameters.
/// </summary>
public partial class Flatten
{
    /// <summary><paramref name="x"/> (n, ...) as (n, rest).</summary>
    [Differentiable]
    public Tensor Forward(Tensor x) => Ops.Flatten(x);
}
