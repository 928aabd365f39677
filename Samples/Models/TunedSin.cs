using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>
/// The seed's custom <c>autograd.Function</c>: y = sin(w·x). <see cref="Apply"/> lets the generator derive the
/// gradient; <see cref="ApplyHandWritten"/> uses the hand-written backward, as the seed does.
/// </summary>
public static partial class TunedSin
{
    [Differentiable]
    public static Tensor Apply(Tensor x, Tensor w) => Sin(x * w);

    [Differentiable, CustomGradient(nameof(Backward))]
    public static Tensor ApplyHandWritten(Tensor x, Tensor w) => Sin(x * w);

    /// <summary>The seed's backward: grad_x = upstream·w·cos(w·x), grad_w = upstream·x·cos(w·x).</summary>
    public static (Tensor GradX, Tensor GradW) Backward(Tensor x, Tensor w, Tensor upstream)
    {
        var cos = Cos(x * w);
        return (upstream * w * cos, upstream * x * cos);
    }
}
