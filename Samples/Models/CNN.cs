using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>
/// The seed's MNIST CNN: conv 1→10 k5, ReLU, maxpool 2, conv 10→20 k5, ReLU, maxpool 2, flatten (320),
/// fc 320→10, log-softmax, negative log-likelihood. Takes flattened images (n, 784) like the other samples.
/// </summary>
public partial class CNN
{
    [Parameter] public Tensor Conv1W, Conv1B, Conv2W, Conv2B;
    public Linear Fc;

    public CNN(int channels1 = 10, int channels2 = 20, ulong seed = 1)
    {
        var rng = new Rng(seed);
        (Conv1W, Conv1B) = (Init.Conv2d(channels1, 1, 5, rng), Init.Conv2dBias(channels1, 1, 5, rng));
        (Conv2W, Conv2B) = (Init.Conv2d(channels2, channels1, 5, rng), Init.Conv2dBias(channels2, channels1, 5, rng));
        Fc = new Linear(channels2 * 4 * 4, 10, rng);
    }

    /// <summary>Log-probabilities of the 10 digits for a batch of flattened 28×28 images (n, 784).</summary>
    [Differentiable]
    public Tensor Forward(Tensor x)
    {
        var image = Reshape(x, -1, 1, 28, 28);
        var h1 = MaxPool2d(Relu(Conv2d(image, Conv1W, Conv1B)), 2);
        var h2 = MaxPool2d(Relu(Conv2d(h1, Conv2W, Conv2B)), 2);
        return LogSoftmax(Fc.Forward(Flatten(h2)), axis: 1);
    }

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => NllLoss(Forward(x), y);
}
