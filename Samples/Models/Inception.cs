using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>
/// GoogLeNet's Inception block, as the tutorial builds it: four paths over the same input, each ending in a ReLU,
/// joined along the channels — 1×1 conv (c1); 1×1 conv (c2.A) → 3×3 conv pad 1 (c2.B); 1×1 conv (c3.A) → 5×5 conv
/// pad 2 (c3.B); 3×3 max-pool stride 1 pad 1 → 1×1 conv (c4). Height and width are kept; the output has
/// <see cref="OutChannels"/> = c1 + c2.B + c3.B + c4 channels.
/// </summary>
public partial class Inception
{
    [Parameter] public Tensor P1W, P1B, P2aW, P2aB, P2bW, P2bB, P3aW, P3aB, P3bW, P3bB, P4W, P4B;

    public Inception(int inChannels, int c1, (int A, int B) c2, (int A, int B) c3, int c4, Rng rng)
    {
        (P1W, P1B) = Conv(c1, inChannels, 1, rng);
        (P2aW, P2aB) = Conv(c2.A, inChannels, 1, rng);
        (P2bW, P2bB) = Conv(c2.B, c2.A, 3, rng);
        (P3aW, P3aB) = Conv(c3.A, inChannels, 1, rng);
        (P3bW, P3bB) = Conv(c3.B, c3.A, 5, rng);
        (P4W, P4B) = Conv(c4, inChannels, 1, rng);
        OutChannels = c1 + c2.B + c3.B + c4;
    }

    /// <summary>The channels of <see cref="Forward"/>'s result: the four paths' outputs side by side.</summary>
    public int OutChannels { get; }

    /// <summary>x (N, C, H, W) → (N, <see cref="OutChannels"/>, H, W).</summary>
    [Differentiable]
    public Tensor Forward(Tensor x)
    {
        var p1 = Relu(Conv2d(x, P1W, P1B));
        var p2 = Relu(Conv2d(Relu(Conv2d(x, P2aW, P2aB)), P2bW, P2bB, padding: 1));
        var p3 = Relu(Conv2d(Relu(Conv2d(x, P3aW, P3aB)), P3bW, P3bB, padding: 2));
        var p4 = Relu(Conv2d(MaxPool2d(x, 3, stride: 1, padding: 1), P4W, P4B));
        return Concat([p1, p2, p3, p4], axis: 1);
    }

    /// <summary>A convolution's weight (out, in, k, k) and bias (out), initialized as torch.nn.Conv2d does.</summary>
    internal static (Tensor W, Tensor B) Conv(int outChannels, int inChannels, int kernel, Rng rng) =>
        (Init.Conv2d(outChannels, inChannels, kernel, rng), Init.Conv2dBias(outChannels, inChannels, kernel, rng));
}
