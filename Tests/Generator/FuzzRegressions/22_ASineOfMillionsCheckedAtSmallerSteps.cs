// Fuzz case all:77055123:1572 (found by seed 77055123). F's sine reads about 3e6 times the parameters (its argument is
// -3.2e6 at the check's point), so a step of 1e-8 in W0 turns the sine by a tenth of a radian and central differences
// disagree with each other at every step from 1e-8 to 1e-3. The generated gradient was right: differences at 1e-9 and
// 1e-10 agree with it to 1e-6 (3164941.2 analytic, 3164941.2 at 1e-10 for W0[0]). The checker now also tries those steps
// before it calls a gradient wrong; this case failed the check before.
// check: F(x: 4x1)
using Differentiable;
using static Differentiable.Ops;

public partial class M
{
    [Parameter] public Tensor W0 = Tensor.Randn(new[] { 4, 1 }, new Rng(445), DType.Float64), W1 = Tensor.Randn(new[] { 1 }, new Rng(918), DType.Float64);
    public double Scale = 0.75;
    public const double Shift = 0.25;
    public List<Sub> Stack = new() { new Sub(747), new Sub(259), new Sub(629) };
    [Differentiable] public Tensor F(Tensor x)
    {
        var h0 = (W0).MatMul(Exp(Tanh(Relu(MatMul(Transpose(W0), W0)))));
        h0 = Maximum((Sigmoid(h0) - (0.5 - LogSumExp(x, axis: 0))), Transpose(MatMul(MatMul(Transpose(h0), h0), Transpose(h0))));
        var h1 = ((-(MatMul(h0, Transpose(h0)))).Transpose() / (Scale + 5));
        h0 *= LogSumExp(MatMul(Transpose(W0), W0), axis: 0, keepDims: true);
        return (Sin((Transpose(h0)).MatMul(h1)) * 1.5);
    }
}

public partial class Sub
{
    [Parameter] public Tensor W, B;

    public Sub(int seed)
    {
        var rng = new Rng((ulong)seed);
        W = Tensor.Randn(new[] { 1, 1 }, rng, DType.Float64);
        B = Tensor.Randn(new[] { 1 }, rng, DType.Float64);
    }

    [Differentiable] public Tensor Forward(Tensor h)
    {
        var z = h;
        int k = 0;
        while (k < 2)
        {
            z = Tanh(z.MatMul(W) * 0.5 + B);
            k++;
        }
        return z;
    }
}
