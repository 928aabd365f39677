using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>
/// A small GoogLeNet for 28×28 digits: conv 3×3 pad 1 (width), ReLU, max-pool 2 (→ 14×14); an <see cref="Inception"/>
/// block (→ 2.5·width channels), max-pool 2 (→ 7×7); another (→ 5·width), max-pool 2 (→ 3×3); flatten; a linear
/// layer → 10, log-softmax. Takes flattened images (n, 784) like the other samples. (With GoogLeNet's global average
/// pool instead of the last pool and flatten it learned far slower: 51% after 3 epochs with Adam.)
/// </summary>
public partial class InceptionNet
{
    [Parameter] public Tensor StemW, StemB;
    public Inception Block1, Block2;
    public Linear Fc;

    /// <param name="width">the stem's channels; a multiple of 4 keeps the blocks' paths at the tutorial's proportions</param>
    public InceptionNet(int width = 16, ulong seed = 1)
    {
        var rng = new Rng(seed);
        int W(int numerator, int denominator) => Math.Max(1, width * numerator / denominator);
        (StemW, StemB) = Inception.Conv(width, 1, 3, rng);
        Block1 = new Inception(width, W(1, 2), (W(1, 2), width), (W(1, 4), W(1, 2)), W(1, 2), rng);
        Block2 = new Inception(Block1.OutChannels, width, (width, W(2, 1)), (W(1, 2), width), width, rng);
        Fc = new Linear(Block2.OutChannels * 3 * 3, 10, rng);
    }

    /// <summary>Log-probabilities of the 10 digits for a batch of flattened 28×28 images (n, 784).</summary>
    [Differentiable]
    public Tensor Forward(Tensor x)
    {
        var image = Reshape(x, -1, 1, 28, 28);
        var stem = MaxPool2d(Relu(Conv2d(image, StemW, StemB, padding: 1)), 2);
        var h1 = MaxPool2d(Block1.Forward(stem), 2);
        var h2 = Flatten(MaxPool2d(Block2.Forward(h1), 2));
        return LogSoftmax(Fc.Forward(h2), axis: 1);
    }

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => NllLoss(Forward(x), y);
}
