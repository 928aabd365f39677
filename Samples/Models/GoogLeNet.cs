using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>
/// The tutorial's GoogLeNet for 1-channel images (96×96 there): b1 conv 7×7/2 pad 3 (64), ReLU, max-pool 3×3/2 pad 1;
/// b2 conv 1×1 (64), ReLU, conv 3×3 pad 1 (192), ReLU, max-pool; b3 two <see cref="Inception"/> blocks (→ 480), max-pool;
/// b4 five (→ 832), max-pool; b5 two (→ 1024), global average pool; a linear layer 1024 → classes, log-softmax.
/// <paramref name="narrow"/> divides every channel count (at least 1 channel each), for a gradient check that can
/// visit every parameter element.
/// </summary>
public partial class GoogLeNet
{
    [Parameter] public Tensor Conv1W, Conv1B, Conv2W, Conv2B, Conv3W, Conv3B;
    public Inception Inception3a, Inception3b, Inception4a, Inception4b, Inception4c, Inception4d, Inception4e, Inception5a, Inception5b;
    public Linear Fc;

    public GoogLeNet(int classes = 10, int narrow = 1, ulong seed = 1)
    {
        var rng = new Rng(seed);
        int C(int channels) => Math.Max(1, channels / narrow);
        Inception Block(int inChannels, int c1, (int A, int B) c2, (int A, int B) c3, int c4) =>
            new(inChannels, C(c1), (C(c2.A), C(c2.B)), (C(c3.A), C(c3.B)), C(c4), rng);

        (Conv1W, Conv1B) = Inception.Conv(C(64), 1, 7, rng);
        (Conv2W, Conv2B) = Inception.Conv(C(64), C(64), 1, rng);
        (Conv3W, Conv3B) = Inception.Conv(C(192), C(64), 3, rng);
        Inception3a = Block(C(192), 64, (96, 128), (16, 32), 32);
        Inception3b = Block(Inception3a.OutChannels, 128, (128, 192), (32, 96), 64);
        Inception4a = Block(Inception3b.OutChannels, 192, (96, 208), (16, 48), 64);
        Inception4b = Block(Inception4a.OutChannels, 160, (112, 224), (24, 64), 64);
        Inception4c = Block(Inception4b.OutChannels, 128, (128, 256), (24, 64), 64);
        Inception4d = Block(Inception4c.OutChannels, 112, (144, 288), (32, 64), 64);
        Inception4e = Block(Inception4d.OutChannels, 256, (160, 320), (32, 128), 128);
        Inception5a = Block(Inception4e.OutChannels, 256, (160, 320), (32, 128), 128);
        Inception5b = Block(Inception5a.OutChannels, 384, (192, 384), (48, 128), 128);
        Fc = new Linear(Inception5b.OutChannels, classes, rng);
    }

    /// <summary>Log-probabilities for images (N, 1, H, W); the tutorial's H = W = 96 gives 3×3 maps before the global pool.</summary>
    [Differentiable]
    public Tensor Forward(Tensor x)
    {
        var b1 = MaxPool2d(Relu(Conv2d(x, Conv1W, Conv1B, stride: 2, padding: 3)), 3, stride: 2, padding: 1);
        var b2 = MaxPool2d(Relu(Conv2d(Relu(Conv2d(b1, Conv2W, Conv2B)), Conv3W, Conv3B, padding: 1)), 3, stride: 2, padding: 1);
        var b3 = MaxPool2d(Inception3b.Forward(Inception3a.Forward(b2)), 3, stride: 2, padding: 1);
        var b4a = Inception4b.Forward(Inception4a.Forward(b3));
        var b4 = MaxPool2d(Inception4e.Forward(Inception4d.Forward(Inception4c.Forward(b4a))), 3, stride: 2, padding: 1);
        var b5 = GlobalAvgPool2d(Inception5b.Forward(Inception5a.Forward(b4)));
        return LogSoftmax(Fc.Forward(b5), axis: 1);
    }

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => NllLoss(Forward(x), y);
}
