using static Differentiable.Ops;

namespace Differentiable.Nn;

/// <summary>
/// A fully connected layer, <c>torch.nn.Linear</c>: y = x·W + B, with W stored (in, out) so that the layer is one matrix
/// product, and both drawn from U(−1/√in, 1/√in), PyTorch's default initialisation. Call <see cref="Forward"/> from your
/// own <c>[Differentiable]</c> methods: the call runs this package's generated pullback, and your model's generated
/// <c>Parameters()</c> and gradients include the layer's by path (<c>Fc.W</c>, <c>Fc.B</c>).
/// </summary>
public partial class Linear
{
    /// <summary>The (in, out) weight.</summary>
    [Parameter] public Tensor W;

    /// <summary>The (out) bias.</summary>
    [Parameter] public Tensor B;

    /// <summary>A layer from <paramref name="inFeatures"/> to <paramref name="outFeatures"/>, initialised from <paramref name="rng"/>.</summary>
    public Linear(int inFeatures, int outFeatures, Rng rng)
    {
        W = Init.Linear(inFeatures, outFeatures, rng);
        B = Init.LinearBias(inFeatures, outFeatures, rng);
    }

    /// <summary>A layer initialised from a generator seeded with <paramref name="seed"/>.</summary>
    public Linear(int inFeatures, int outFeatures, ulong seed = 1) : this(inFeatures, outFeatures, new Rng(seed)) { }

    /// <summary>x·W + B for a batch <paramref name="x"/> of shape (n, in): (n, out).</summary>
    [Differentiable]
    public Tensor Forward(Tensor x) => x.MatMul(W) + B;
}
