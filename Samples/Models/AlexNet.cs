using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>
/// The seeds' AlexNet-shaped model for 1×224×224 images: conv 1→96 k11 s4, ReLU, maxpool 3 s2, conv 96→256 k5 p2,
/// ReLU, maxpool 3 s2, conv 256→384 k3 p1, ReLU, conv 384→384 k3 p1, ReLU, conv 384→256 k3 p1, ReLU, maxpool 3 s2,
/// flatten (6400), fc 6400→4096, ReLU, dropout, fc 4096→4096, ReLU, dropout, fc 4096→10. Dropout masks are
/// arguments, as in <see cref="DropoutMLP"/>.
/// </summary>
public partial class AlexNet
{
    public const double P = 0.5;

    [Parameter] public Tensor Conv1W, Conv1B, Conv2W, Conv2B, Conv3W, Conv3B, Conv4W, Conv4B, Conv5W, Conv5B;
    public Linear Fc1, Fc2, Fc3;

    public AlexNet(int classes = 10, ulong seed = 1)
    {
        var rng = new Rng(seed);
        (Conv1W, Conv1B) = (Init.Conv2d(96, 1, 11, rng), Init.Conv2dBias(96, 1, 11, rng));
        (Conv2W, Conv2B) = (Init.Conv2d(256, 96, 5, rng), Init.Conv2dBias(256, 96, 5, rng));
        (Conv3W, Conv3B) = (Init.Conv2d(384, 256, 3, rng), Init.Conv2dBias(384, 256, 3, rng));
        (Conv4W, Conv4B) = (Init.Conv2d(384, 384, 3, rng), Init.Conv2dBias(384, 384, 3, rng));
        (Conv5W, Conv5B) = (Init.Conv2d(256, 384, 3, rng), Init.Conv2dBias(256, 384, 3, rng));
        Fc1 = new Linear(6400, 4096, rng);
        Fc2 = new Linear(4096, 4096, rng);
        Fc3 = new Linear(4096, classes, rng);
    }

    /// <summary>Log-probabilities for images (n, 1, 224, 224); masks (n, 4096) from <see cref="Masks"/> or <see cref="NoDropout"/>.</summary>
    [Differentiable]
    public Tensor Forward(Tensor x, Tensor mask1, Tensor mask2)
    {
        var h1 = MaxPool2d(Relu(Conv2d(x, Conv1W, Conv1B, stride: 4)), 3, stride: 2);
        var h2 = MaxPool2d(Relu(Conv2d(h1, Conv2W, Conv2B, padding: 2)), 3, stride: 2);
        var h3 = Relu(Conv2d(h2, Conv3W, Conv3B, padding: 1));
        var h4 = Relu(Conv2d(h3, Conv4W, Conv4B, padding: 1));
        var h5 = MaxPool2d(Relu(Conv2d(h4, Conv5W, Conv5B, padding: 1)), 3, stride: 2);
        var f1 = Relu(Fc1.Forward(Flatten(h5))) * mask1;
        var f2 = Relu(Fc2.Forward(f1)) * mask2;
        return LogSoftmax(Fc3.Forward(f2), axis: 1);
    }

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y, Tensor mask1, Tensor mask2) => NllLoss(Forward(x, mask1, mask2), y);

    public (Tensor Mask1, Tensor Mask2) Masks(int n, Rng rng) => (Dropout.Mask(new[] { n, 4096 }, P, rng), Dropout.Mask(new[] { n, 4096 }, P, rng));

    public (Tensor Mask1, Tensor Mask2) NoDropout(int n) => (Dropout.Off(new[] { n, 4096 }), Dropout.Off(new[] { n, 4096 }));
}
