using System.Numerics;

namespace Differentiable.Training;

/// <summary>
/// Stochastic gradient descent exactly as <c>torch.optim.SGD</c>: weight decay adds wd·p to the gradient; the
/// momentum buffer starts as the first gradient, then b ← μ·b + (1 − dampening)·g; Nesterov uses g + μ·b.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly Dictionary<string, Tensor> _momentum = new();

    public Sgd(IModule model, double learningRate, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(model, learningRate)
    {
        if (momentum < 0) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must not be negative.");
        if (weightDecay < 0) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Weight decay must not be negative.");
        if (nesterov && (momentum <= 0 || dampening != 0)) throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening (as in PyTorch).");
        (Momentum, Dampening, WeightDecay, Nesterov) = (momentum, dampening, weightDecay, nesterov);
    }

    public double Momentum { get; }
    public double Dampening { get; }
    public double WeightDecay { get; }
    public bool Nesterov { get; }

    protected override void Update<T>(string name, Tensor parameter, Tensor gradient)
    {
        var p = parameter.Span<T>();
        var g = gradient.Span<T>();
        T lr = T.CreateChecked(LearningRate), wd = T.CreateChecked(WeightDecay), mu = T.CreateChecked(Momentum);
        T keep = T.One - T.CreateChecked(Dampening);

        var i = 0;
        if (Momentum == 0)
        {
            if (Vector.IsHardwareAccelerated)
            {
                Vector<T> vlr = new(lr), vwd = new(wd);
                for (; i <= p.Length - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var pv = new Vector<T>(p[i..]);
                    (pv - vlr * (new Vector<T>(g[i..]) + vwd * pv)).CopyTo(p[i..]);
                }
            }
            for (; i < p.Length; i++) p[i] -= lr * (g[i] + wd * p[i]);
            return;
        }

        var first = !_momentum.TryGetValue(name, out var buffer);
        if (first) _momentum[name] = buffer = Tensor.ZerosPersistent(parameter.Shape.ToArray(), parameter.DType); // outlives any TensorScope
        var b = buffer!.Span<T>();
        // The vector loop computes exactly the scalar loop's operations, element by element (no fused multiply-add).
        if (Vector.IsHardwareAccelerated)
        {
            Vector<T> vlr = new(lr), vwd = new(wd), vmu = new(mu), vkeep = new(keep);
            for (; i <= p.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var pv = new Vector<T>(p[i..]);
                var d = new Vector<T>(g[i..]) + vwd * pv;
                var bv = first ? d : vmu * new Vector<T>(b[i..]) + vkeep * d;
                bv.CopyTo(b[i..]);
                (pv - vlr * (Nesterov ? d + vmu * bv : bv)).CopyTo(p[i..]);
            }
        }
        for (; i < p.Length; i++)
        {
            var d = g[i] + wd * p[i];
            b[i] = first ? d : mu * b[i] + keep * d;
            p[i] -= lr * (Nesterov ? d + mu * b[i] : b[i]);
        }
    }
}
