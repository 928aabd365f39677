namespace Differentiable.Training;

/// <summary>Gradient clipping, as <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient of <paramref name="gradients"/> in place so that their joint 2-norm (all elements of all
    /// gradients, as one vector) is at most <paramref name="maxNorm"/>; returns the norm before clipping. As PyTorch:
    /// the factor is <c>maxNorm / (norm + 1e-6)</c>, capped at 1.
    /// </summary>
    public static double ClipGradNorm(IGradients gradients, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm must be zero or more.");
        var sum = 0.0;
        foreach (var (_, gradient) in gradients.All)
        {
            if (gradient.DType == DType.Float32) foreach (var v in gradient.Span<float>()) sum += (double)v * v;
            else foreach (var v in gradient.Span<double>()) sum += v * v;
        }
        var norm = Math.Sqrt(sum);
        var factor = Math.Min(1.0, maxNorm / (norm + 1e-6));
        foreach (var (_, gradient) in gradients.All)
        {
            if (gradient.DType == DType.Float32)
            {
                var scale = (float)factor;
                foreach (ref var v in gradient.Span<float>()) v *= scale;
            }
            else foreach (ref var v in gradient.Span<double>()) v *= factor;
        }
        return norm;
    }
}
