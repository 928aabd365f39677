namespace Differentiable.Nn;

/// <summary>
/// 2-D max pooling, <c>torch.nn.MaxPool2d(kernel, stride, padding)</c>: the maximum of each kernel × kernel window,
/// (n, c, h, w) → (n, c, ⌊(h + 2·padding − kernel) / stride⌋ + 1, ...). No parameters. The window is given to the
/// constructor and read by the generated code when it runs (an int member is a window size the generator accepts), so
/// one layer class serves every kernel size.
/// </summary>
public partial class MaxPool2d
{
    /// <summary>The window's side.</summary>
    public int Kernel { get; }

    /// <summary>The step between windows (PyTorch's default: the kernel).</summary>
    public int Stride { get; }

    /// <summary>The implicit −∞ border on each side.</summary>
    public int Padding { get; }

    /// <summary>Max pooling over kernel × kernel windows; the stride defaults to the kernel, as in PyTorch.</summary>
    public MaxPool2d(int kernel, int? stride = null, int padding = 0)
    {
        (Kernel, Stride, Padding) = Pool.Check(kernel, stride, padding);
    }

    /// <summary>The maximum of each window of a batch of images <paramref name="x"/> (n, c, h, w).</summary>
    [Differentiable]
    public Tensor Forward(Tensor x) => Ops.MaxPool2d(x, Kernel, stride: Stride, padding: Padding);
}

/// <summary>
/// 2-D average pooling, <c>torch.nn.AvgPool2d(kernel, stride, padding)</c> with PyTorch's defaults (padding counted in
/// the average): the mean of each kernel × kernel window. No parameters; the window is given to the constructor.
/// </summary>
public partial class AvgPool2d
{
    /// <summary>The window's side.</summary>
    public int Kernel { get; }

    /// <summary>The step between windows (PyTorch's default: the kernel).</summary>
    public int Stride { get; }

    /// <summary>The implicit zero border on each side.</summary>
    public int Padding { get; }

    /// <summary>Average pooling over kernel × kernel windows; the stride defaults to the kernel, as in PyTorch.</summary>
    public AvgPool2d(int kernel, int? stride = null, int padding = 0)
    {
        (Kernel, Stride, Padding) = Pool.Check(kernel, stride, padding);
    }

    /// <summary>The mean of each window of a batch of images <paramref name="x"/> (n, c, h, w).</summary>
    [Differentiable]
    public Tensor Forward(Tensor x) => Ops.AvgPool2d(x, Kernel, stride: Stride, padding: Padding);
}

internal static class Pool
{
    public static (int Kernel, int Stride, int Padding) Check(int kernel, int? stride, int padding)
    {
        if (kernel < 1) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "The kernel must be at least 1.");
        var s = stride ?? kernel;
        if (s < 1) throw new ArgumentOutOfRangeException(nameof(stride), s, "The stride must be at least 1.");
        if (padding < 0 || padding > kernel / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "The padding must be between 0 and half the kernel, as in PyTorch.");
        return (kernel, s, padding);
    }
}
