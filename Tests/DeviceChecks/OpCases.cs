using static Differentiable.Ops;

namespace Differentiable.DeviceChecks;

/// <summary>
/// One small [Differentiable] function per device kernel kind, so <c>gpu-check</c> (and the emulator tests) compare
/// every op's value and gradients on the device with the CPU, not only the ops the sample models happen to use.
/// </summary>
public static partial class OpCases
{
    [Differentiable] public static Tensor Arithmetic(Tensor a, Tensor b) => Sum((a + b) * (a - b) / (Abs(b) + 1.5) - Neg(a) * 2.0);
    [Differentiable] public static Tensor MaxMin(Tensor a, Tensor b) => Sum(Maximum(a, b) + Minimum(a, b) * 0.5);
    [Differentiable] public static Tensor Powers(Tensor a) => Sum(Pow(Abs(a) + 1.0, 1.5) + Sqrt(Abs(a) + 0.5));
    [Differentiable] public static Tensor ExpLog(Tensor a) => Sum(Exp(a * 0.5) + Log(Abs(a) + 1.0));
    [Differentiable] public static Tensor Trigonometry(Tensor a, Tensor b) => Sum(Sin(a * b) + Cos(a));
    [Differentiable] public static Tensor Activations(Tensor a) => Sum(Tanh(a) + Sigmoid(a) * 2.0 + Relu(a) * 3.0);
    [Differentiable] public static Tensor Broadcasting(Tensor a, Tensor row, Tensor column) => Sum(a * row + column);
    /// <summary>
    /// Statements that compute the same expression of different inputs, one broadcasting the other way: the device
    /// program writes the kernel once and launches it three times.
    /// </summary>
    [Differentiable]
    public static Tensor Repeated(Tensor a, Tensor row)
    {
        var h = Tanh(a * row + 0.5);
        var k = Tanh(h * a + 0.5);
        var m = Tanh(row * k + 0.5);
        return Sum(m * m);
    }
    [Differentiable] public static Tensor Reductions(Tensor a) => Sum(Mean(a, axis: 0) * 2.0) + Sum(LogSumExp(a, axis: 1)) + Mean(Sum(a, axis: 1, keepDims: true));
    [Differentiable] public static Tensor Products(Tensor a, Tensor b) => Sum(Tanh(a.MatMul(b))) + Sum(Transpose(a).MatMul(a).MatMul(b)) * 0.1;
    /// <summary>A product that the elementwise kernel after it broadcasts to a larger shape: (5, 1) + (1, 4).</summary>
    [Differentiable] public static Tensor BroadcastEpilogue(Tensor a, Tensor b, Tensor c) => Sum(Tanh(a.MatMul(b) + c));
    [Differentiable] public static Tensor Shapes(Tensor a, Tensor b) => Sum(Tanh(Concat(Reshape(a, 2, -1), b, axis: 1)) * 1.5);
    [Differentiable] public static Tensor Classifier(Tensor a, Labels y) => CrossEntropy(a, y) + NllLoss(LogSoftmax(a * 2.0, axis: 1), y);
    [Differentiable] public static Tensor Convolution(Tensor x, Tensor w, Tensor bias) => Sum(Tanh(Conv2d(x, w, bias, stride: 2, padding: 1)));
    [Differentiable] public static Tensor MaxPooling(Tensor x) => Sum(Tanh(MaxPool2d(x, 3, stride: 2, padding: 1))) + Sum(Tanh(Flatten(MaxPool2d(x, 2))));
    [Differentiable] public static Tensor AveragePooling(Tensor x) => Sum(Tanh(AvgPool2d(x, 3, stride: 2, padding: 1))) + Sum(Tanh(GlobalAvgPool2d(x)));
}
