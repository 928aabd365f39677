using static Differentiable.Ops;
using Nn = Differentiable.Nn;

namespace Differentiable.Samples.Models;

/// <summary>
/// The seed's MNIST CNN, written with the package's layers as one writes it with torch.nn: conv 1→10 k5, ReLU, maxpool 2,
/// conv 10→20 k5, ReLU, maxpool 2, flatten (320), fc 320→10, log-softmax, negative log-likelihood. Takes flattened images
/// (n, 784) like the other samples. The layers are compiled in the package: the C# path calls their exported pullbacks,
/// and the device program inlines their bodies (the generator knows the package's own layers).
/// </summary>
public partial class CNN
{
    public Nn.Conv2d Conv1, Conv2;
    public Nn.MaxPool2d Pool = new(2);
    public Nn.Flatten Flat = new();
    public Nn.Linear Fc;

    public CNN(int channels1 = 10, int channels2 = 20, ulong seed = 1)
    {
        var rng = new Rng(seed);
        Conv1 = new Nn.Conv2d(1, channels1, 5, rng);
        Conv2 = new Nn.Conv2d(channels1, channels2, 5, rng);
        Fc = new Nn.Linear(channels2 * 4 * 4, 10, rng);
    }

    /// <summary>Log-probabilities of the 10 digits for a batch of flattened 28×28 images (n, 784).</summary>
    [Differentiable]
    public Tensor Forward(Tensor x)
    {
        var image = Reshape(x, -1, 1, 28, 28);
        var h1 = Pool.Forward(Relu(Conv1.Forward(image)));
        var h2 = Pool.Forward(Relu(Conv2.Forward(h1)));
        return LogSoftmax(Fc.Forward(Flat.Forward(h2)), axis: 1);
    }

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => NllLoss(Forward(x), y);
}
