using static Differentiable.Ops;

namespace Differentiable.Nn;

/// <summary>
/// A 2-D convolution, <c>torch.nn.Conv2d</c> with stride 1 and no padding: a (out, in, k, k) weight and an (out) bias,
/// both drawn from U(−1/√(in·k²), 1/√(in·k²)), PyTorch's default initialisation. <see cref="Forward"/> maps (n, in, h, w)
/// to (n, out, h−k+1, w−k+1). For another stride or padding, call <c>Ops.Conv2d(x, W, B, stride: 2, padding: 1)</c> in
/// your own <c>[Differentiable]</c> body: stride and padding are fixed when the gradient is generated.
/// </summary>
public partial class Conv2d
{
    /// <summary>The (out, in, kernel, kernel) weight.</summary>
    [Parameter] public Tensor W;

    /// <summary>The (out) bias.</summary>
    [Parameter] public Tensor B;

    /// <summary>A convolution from <paramref name="inChannels"/> to <paramref name="outChannels"/> with a square kernel, initialised from <paramref name="rng"/>.</summary>
    public Conv2d(int inChannels, int outChannels, int kernel, Rng rng)
    {
        W = Init.Conv2d(outChannels, inChannels, kernel, rng);
        B = Init.Conv2dBias(outChannels, inChannels, kernel, rng);
    }

    /// <summary>A convolution initialised from a generator seeded with <paramref name="seed"/>.</summary>
    public Conv2d(int inChannels, int outChannels, int kernel, ulong seed = 1) : this(inChannels, outChannels, kernel, new Rng(seed)) { }

    /// <summary>The convolution of a batch of images <paramref name="x"/> (n, in, h, w), plus the bias per output channel.</summary>
    [Differentiable]
    public Tensor Forward(Tensor x) => Ops.Conv2d(x, W, B);
}
