using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>
/// LeNet-5 on 28×28 digits: conv 1→6 k5 p2, ReLU, avgpool 2, conv 6→16 k5, ReLU, avgpool 2, flatten (400),
/// fc 400→120, ReLU, fc 120→84, ReLU, fc 84→10, log-softmax (the original's sigmoid/tanh replaced by ReLU).
/// </summary>
public partial class LeNet
{
    [Parameter] public Tensor Conv1W, Conv1B, Conv2W, Conv2B;
    public Linear Fc1, Fc2, Fc3;

    public LeNet(ulong seed = 1)
    {
        var rng = new Rng(seed);
        (Conv1W, Conv1B) = (Init.Conv2d(6, 1, 5, rng), Init.Conv2dBias(6, 1, 5, rng));
        (Conv2W, Conv2B) = (Init.Conv2d(16, 6, 5, rng), Init.Conv2dBias(16, 6, 5, rng));
        Fc1 = new Linear(16 * 5 * 5, 120, rng);
        Fc2 = new Linear(120, 84, rng);
        Fc3 = new Linear(84, 10, rng);
    }

    /// <summary>Log-probabilities of the 10 digits for a batch of flattened 28×28 images (n, 784).</summary>
    [Differentiable]
    public Tensor Forward(Tensor x)
    {
        var image = Reshape(x, -1, 1, 28, 28);
        var h1 = AvgPool2d(Relu(Conv2d(image, Conv1W, Conv1B, padding: 2)), 2);
        var h2 = AvgPool2d(Relu(Conv2d(h1, Conv2W, Conv2B)), 2);
        var h3 = Relu(Fc1.Forward(Flatten(h2)));
        var h4 = Relu(Fc2.Forward(h3));
        return LogSoftmax(Fc3.Forward(h4), axis: 1);
    }

    [Differentiable]
    public Tensor Loss(Tensor x, Labels y) => NllLoss(Forward(x), y);
}
