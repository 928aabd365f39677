using System.Numerics;

namespace Differentiable.Training;

/// <summary>
/// Adam exactly as <c>torch.optim.Adam</c> (not AdamW): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
/// p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε); weight decay adds wd·p to the gradient first.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly Dictionary<string, (Tensor M, Tensor V, int Step)> _state = new();

    public Adam(IModule model, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8, double weightDecay = 0)
        : base(model, learningRate)
    {
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β₁ must be in [0, 1).");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β₂ must be in [0, 1).");
        (Beta1, Beta2, Epsilon, WeightDecay) = (beta1, beta2, epsilon, weightDecay);
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }
    public double WeightDecay { get; }

    protected override void Update<T>(string name, Tensor parameter, Tensor gradient)
    {
        if (!_state.TryGetValue(name, out var state))
            state = (Tensor.ZerosPersistent(parameter.Shape.ToArray(), parameter.DType), Tensor.ZerosPersistent(parameter.Shape.ToArray(), parameter.DType), 0); // outlive any TensorScope
        state.Step++;
        _state[name] = state;

        var p = parameter.Span<T>();
        var g = gradient.Span<T>();
        var m = state.M.Span<T>();
        var v = state.V.Span<T>();
        T b1 = T.CreateChecked(Beta1), b2 = T.CreateChecked(Beta2), wd = T.CreateChecked(WeightDecay), eps = T.CreateChecked(Epsilon);
        var stepSize = T.CreateChecked(LearningRate / (1 - Math.Pow(Beta1, state.Step)));
        var correction2 = T.CreateChecked(Math.Sqrt(1 - Math.Pow(Beta2, state.Step)));
        var i = 0;
        // The vector loop computes exactly the scalar loop's operations, element by element (no fused multiply-add).
        if (Vector.IsHardwareAccelerated)
        {
            Vector<T> vb1 = new(b1), vb2 = new(b2), vwd = new(wd), veps = new(eps), vstep = new(stepSize), vc2 = new(correction2);
            Vector<T> one1 = new(T.One - b1), one2 = new(T.One - b2);
            for (; i <= p.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var pv = new Vector<T>(p[i..]);
                var d = new Vector<T>(g[i..]) + vwd * pv;
                var mv = vb1 * new Vector<T>(m[i..]) + one1 * d;
                var vv = vb2 * new Vector<T>(v[i..]) + one2 * d * d;
                mv.CopyTo(m[i..]);
                vv.CopyTo(v[i..]);
                (pv - vstep * mv / (Vector.SquareRoot(vv) / vc2 + veps)).CopyTo(p[i..]);
            }
        }
        for (; i < p.Length; i++)
        {
            var d = g[i] + wd * p[i];
            m[i] = b1 * m[i] + (T.One - b1) * d;
            v[i] = b2 * v[i] + (T.One - b2) * d * d;
            p[i] -= stepSize * m[i] / (T.Sqrt(v[i]) / correction2 + eps);
        }
    }
}
