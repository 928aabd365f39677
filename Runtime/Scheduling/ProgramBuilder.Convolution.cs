namespace Differentiable.Scheduling;

/// <summary>
/// Convolution and pooling on contiguous (N, C, H, W) tensors, one thread per output element (a group per weight
/// for the weight gradient).
/// Convolution ints: N, C, H, W, O, KH, KW, OH, OW, stride, padding. Pooling ints: N, C, H, W, OH, OW, kernel, stride, padding.
/// </summary>
public sealed partial class ProgramBuilder
{
    public DeviceTensor Conv2d(string kernel, DeviceTensor x, DeviceTensor weight, int stride, int padding)
    {
        var (input, w, ints) = ConvolutionInts(kernel, x, weight, stride, padding);
        var output = NewTensor(kernel, new[] { ints[0], ints[4], ints[7], ints[8] }, ElementKind.Float32);
        return LaunchWindowed(kernel, ints, output, input, w);
    }

    /// <summary>∂/∂x of a convolution: one thread per element of x, summing the windows that read it.</summary>
    public DeviceTensor Conv2dInputGradient(string kernel, DeviceTensor gradient, DeviceTensor weight, DeviceTensor x, int stride, int padding)
    {
        var (_, w, ints) = ConvolutionInts(kernel, x, weight, stride, padding);
        var output = NewTensor(kernel, x.Shape, ElementKind.Float32);
        return LaunchWindowed(kernel, ints, output, Contiguous(gradient), w);
    }

    /// <summary>∂/∂weight of a convolution: per weight a group of threads sums over the batch and all positions (ints[11]: the group).</summary>
    public DeviceTensor Conv2dWeightGradient(string kernel, DeviceTensor gradient, DeviceTensor x, DeviceTensor weight, int stride, int padding)
    {
        var (input, _, ints) = ConvolutionInts(kernel, x, weight, stride, padding);
        var output = NewTensor(kernel, weight.Shape, ElementKind.Float32);
        var group = GroupSize((long)ints[0] * ints[7] * ints[8]);
        var g = new KernelGeometry();
        SetInts(ref g, ints.Append(group).ToArray());
        LaunchGroups(kernel, output.Count, group, ref g, output, Contiguous(gradient), input);
        return output;
    }

    public DeviceTensor MaxPool2d(string kernel, DeviceTensor x, int size, int stride, int padding) => Pool(kernel, x, size, stride, padding);

    public DeviceTensor AvgPool2d(string kernel, DeviceTensor x, int size, int stride, int padding) => Pool(kernel, x, size, stride, padding);

    /// <summary>∂/∂x of max pooling: each element of x collects the gradient of the windows whose first maximum it is.</summary>
    public DeviceTensor MaxPool2dBackward(string kernel, DeviceTensor gradient, DeviceTensor x, int size, int stride, int padding)
    {
        var (input, ints) = PoolInts(kernel, x, size, stride, padding);
        var output = NewTensor(kernel, x.Shape, ElementKind.Float32);
        return LaunchWindowed(kernel, ints, output, Contiguous(gradient), input);
    }

    /// <summary>∂/∂x of average pooling: each element of x collects 1/k² of the gradient of every window that covers it.</summary>
    public DeviceTensor AvgPool2dBackward(string kernel, DeviceTensor gradient, DeviceTensor x, int size, int stride, int padding)
    {
        var (_, ints) = PoolInts(kernel, x, size, stride, padding);
        var output = NewTensor(kernel, x.Shape, ElementKind.Float32);
        return LaunchWindowed(kernel, ints, output, Contiguous(gradient));
    }

    private DeviceTensor Pool(string kernel, DeviceTensor x, int size, int stride, int padding)
    {
        var (input, ints) = PoolInts(kernel, x, size, stride, padding);
        var output = NewTensor(kernel, new[] { ints[0], ints[1], ints[4], ints[5] }, ElementKind.Float32);
        return LaunchWindowed(kernel, ints, output, input);
    }

    private DeviceTensor LaunchWindowed(string kernel, int[] ints, DeviceTensor output, params DeviceTensor[] inputs)
    {
        var g = new KernelGeometry();
        SetInts(ref g, ints);
        Launch(kernel, output.Count, ref g, output, inputs);
        return output;
    }

    private (DeviceTensor X, DeviceTensor W, int[] Ints) ConvolutionInts(string kernel, DeviceTensor x, DeviceTensor weight, int stride, int padding)
    {
        if (x.Rank != 4 || weight.Rank != 4 || x.Shape[1] != weight.Shape[1])
            throw new ShapeMismatchException($"{Name}: {kernel}: expected {x.Name} (N, C, H, W) and {weight.Name} (O, C, KH, KW) with the same C, got {x.ShapeText} and {weight.ShapeText}.");
        var (n, c, h, w) = (x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]);
        var (o, kh, kw) = (weight.Shape[0], weight.Shape[2], weight.Shape[3]);
        var (oh, ow) = ((h + 2 * padding - kh) / stride + 1, (w + 2 * padding - kw) / stride + 1);
        if (oh <= 0 || ow <= 0)
            throw new ShapeMismatchException($"{Name}: {kernel}: the {kh}×{kw} kernel of {weight.Name} does not fit {x.Name} {x.ShapeText} with padding {padding}.");
        return (Contiguous(x), Contiguous(weight), new[] { n, c, h, w, o, kh, kw, oh, ow, stride, padding });
    }

    private (DeviceTensor X, int[] Ints) PoolInts(string kernel, DeviceTensor x, int size, int stride, int padding)
    {
        if (x.Rank != 4) throw new ShapeMismatchException($"{Name}: {kernel}: expected {x.Name} (N, C, H, W), got {x.ShapeText}.");
        var (n, c, h, w) = (x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]);
        var (oh, ow) = ((h + 2 * padding - size) / stride + 1, (w + 2 * padding - size) / stride + 1);
        if (oh <= 0 || ow <= 0) throw new ShapeMismatchException($"{Name}: {kernel}: a {size}×{size} window does not fit {x.Name} {x.ShapeText}.");
        return (Contiguous(x), new[] { n, c, h, w, oh, ow, size, stride, padding });
    }
}
