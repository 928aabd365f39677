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
        var first = false;
        Tensor? buffer = null;
        if (Momentum != 0)
        {
            first = !_momentum.TryGetValue(name, out buffer);
            if (first) _momentum[name] = buffer = Tensor.ZerosPersistent(parameter.Shape.ToArray(), parameter.DType); // outlives any TensorScope
        }
        var rule = new Rule<T>(this, first);
        unsafe
        {
            fixed (T* p = parameter.Span<T>(), g = gradient.Span<T>(), b = buffer is null ? default : buffer.Span<T>())
                ParallelUpdate.Run<T, Rule<T>>(parameter.Length, (nint)p, (nint)g, (nint)b, rule);
        }
    }

    /// <summary>
    /// One element's update, the same operations in the vector and the scalar loop (no fused multiply-add), so a
    /// parameter's result does not depend on how its elements are split among cores.
    /// </summary>
    private readonly struct Rule<T> : ParallelUpdate.IRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _lr, _wd, _mu, _keep;
        private readonly bool _momentum, _first, _nesterov;

        public Rule(Sgd sgd, bool first)
        {
            (_lr, _wd, _mu) = (T.CreateChecked(sgd.LearningRate), T.CreateChecked(sgd.WeightDecay), T.CreateChecked(sgd.Momentum));
            _keep = T.One - T.CreateChecked(sgd.Dampening);
            (_momentum, _first, _nesterov) = (sgd.Momentum != 0, first, sgd.Nesterov);
        }

        public unsafe void Apply(T* p, T* g, T* b, int from, int to)
        {
            var i = from;
            if (!_momentum)
            {
                if (Vector.IsHardwareAccelerated)
                {
                    Vector<T> vlr = new(_lr), vwd = new(_wd);
                    for (; i <= to - Vector<T>.Count; i += Vector<T>.Count)
                    {
                        var pv = Vector.Load(p + i);
                        (pv - vlr * (Vector.Load(g + i) + vwd * pv)).Store(p + i);
                    }
                }
                for (; i < to; i++) p[i] -= _lr * (g[i] + _wd * p[i]);
                return;
            }
            if (Vector.IsHardwareAccelerated)
            {
                Vector<T> vlr = new(_lr), vwd = new(_wd), vmu = new(_mu), vkeep = new(_keep);
                for (; i <= to - Vector<T>.Count; i += Vector<T>.Count)
                {
                    var pv = Vector.Load(p + i);
                    var d = Vector.Load(g + i) + vwd * pv;
                    var bv = _first ? d : vmu * Vector.Load(b + i) + vkeep * d;
                    bv.Store(b + i);
                    (pv - vlr * (_nesterov ? d + vmu * bv : bv)).Store(p + i);
                }
            }
            for (; i < to; i++)
            {
                var d = g[i] + _wd * p[i];
                b[i] = _first ? d : _mu * b[i] + _keep * d;
                p[i] -= _lr * (_nesterov ? d + _mu * b[i] : b[i]);
            }
        }
    }
}
