namespace Differentiable.Scheduling;

/// <summary>
/// Convolution and pooling on contiguous (N, C, H, W) tensors: the runtime's kernels in
/// <see cref="ConvolutionKernels"/> and <see cref="PoolKernels"/>, one thread per output element (a group per weight
/// for the weight gradient).
/// </summary>
public sealed partial class ProgramBuilder
{
    public DeviceTensor Conv2d(string name, DeviceTensor x, DeviceTensor weight, int stride, int padding)
    {
        var (input, w, s) = Convolution(name, x, weight, stride, padding);
        var output = NewTensor(name, new[] { s.N, s.O, s.OH, s.OW }, ElementKind.Float32);
        return LaunchWindowed("conv2d", s, output, input, w);
    }

    /// <summary>∂/∂x of a convolution: one thread per element of x, summing the windows that read it.</summary>
    public DeviceTensor Conv2dInputGradient(string name, DeviceTensor gradient, DeviceTensor weight, DeviceTensor x, int stride, int padding)
    {
        var (_, w, s) = Convolution(name, x, weight, stride, padding);
        var output = NewTensor(name, x.Shape, ElementKind.Float32);
        return LaunchWindowed("conv2d_input_gradient", s, output, Contiguous(gradient), w);
    }

    /// <summary>∂/∂weight of a convolution: per weight a group of threads sums over the batch and all positions.</summary>
    public DeviceTensor Conv2dWeightGradient(string name, DeviceTensor gradient, DeviceTensor x, DeviceTensor weight, int stride, int padding)
    {
        var (input, _, s) = Convolution(name, x, weight, stride, padding);
        var output = NewTensor(name, weight.Shape, ElementKind.Float32);
        s.Group = GroupSize((long)s.N * s.OH * s.OW);
        var g = new KernelGeometry();
        KernelArguments.Set(ref g, s);
        LaunchRuntimeGroups("conv2d_weight_gradient", output.Count, s.Group, ref g, output, Contiguous(gradient), input);
        return output;
    }

    public DeviceTensor MaxPool2d(string name, DeviceTensor x, int size, int stride, int padding) => Pool("max_pool2d", name, x, size, stride, padding);

    public DeviceTensor AvgPool2d(string name, DeviceTensor x, int size, int stride, int padding) => Pool("avg_pool2d", name, x, size, stride, padding);

    /// <summary>∂/∂x of max pooling: each element of x collects the gradient of the windows whose first maximum it is.</summary>
    public DeviceTensor MaxPool2dBackward(string name, DeviceTensor gradient, DeviceTensor x, int size, int stride, int padding)
    {
        var (input, s) = Pooling(name, x, size, stride, padding);
        var output = NewTensor(name, x.Shape, ElementKind.Float32);
        return LaunchWindowed("max_pool2d_backward", s, output, Contiguous(gradient), input);
    }

    /// <summary>∂/∂x of average pooling: each element of x collects 1/k² of the gradient of every window that covers it.</summary>
    public DeviceTensor AvgPool2dBackward(string name, DeviceTensor gradient, DeviceTensor x, int size, int stride, int padding)
    {
        var (_, s) = Pooling(name, x, size, stride, padding);
        var output = NewTensor(name, x.Shape, ElementKind.Float32);
        return LaunchWindowed("avg_pool2d_backward", s, output, Contiguous(gradient));
    }

    private DeviceTensor Pool(string kernel, string name, DeviceTensor x, int size, int stride, int padding)
    {
        var (input, s) = Pooling(name, x, size, stride, padding);
        var output = NewTensor(name, new[] { s.N, s.C, s.OH, s.OW }, ElementKind.Float32);
        return LaunchWindowed(kernel, s, output, input);
    }

    private DeviceTensor LaunchWindowed<T>(string kernel, in T arguments, DeviceTensor output, params DeviceTensor[] inputs) where T : unmanaged
    {
        var g = new KernelGeometry();
        KernelArguments.Set(ref g, arguments);
        LaunchRuntime(kernel, output.Count, ref g, output, inputs);
        return output;
    }

    private (DeviceTensor X, DeviceTensor W, ConvolutionArguments Arguments) Convolution(string name, DeviceTensor x, DeviceTensor weight, int stride, int padding)
    {
        if (x.Rank != 4 || weight.Rank != 4 || x.Shape[1] != weight.Shape[1])
            throw new ShapeMismatchException($"{Name}: {name}: expected {x.Name} (N, C, H, W) and {weight.Name} (O, C, KH, KW) with the same C, got {x.ShapeText} and {weight.ShapeText}.");
        var (n, c, h, w) = (x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]);
        var (o, kh, kw) = (weight.Shape[0], weight.Shape[2], weight.Shape[3]);
        var (oh, ow) = ((h + 2 * padding - kh) / stride + 1, (w + 2 * padding - kw) / stride + 1);
        if (oh <= 0 || ow <= 0)
            throw new ShapeMismatchException($"{Name}: {name}: the {kh}×{kw} kernel of {weight.Name} does not fit {x.Name} {x.ShapeText} with padding {padding}.");
        var arguments = new ConvolutionArguments { N = n, C = c, H = h, W = w, O = o, KH = kh, KW = kw, OH = oh, OW = ow, Stride = stride, Padding = padding };
        return (Contiguous(x), Contiguous(weight), arguments);
    }

    private (DeviceTensor X, PoolArguments Arguments) Pooling(string name, DeviceTensor x, int size, int stride, int padding)
    {
        if (x.Rank != 4) throw new ShapeMismatchException($"{Name}: {name}: expected {x.Name} (N, C, H, W), got {x.ShapeText}.");
        var (n, c, h, w) = (x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3]);
        var (oh, ow) = ((h + 2 * padding - size) / stride + 1, (w + 2 * padding - size) / stride + 1);
        if (oh <= 0 || ow <= 0) throw new ShapeMismatchException($"{Name}: {name}: a {size}×{size} window does not fit {x.Name} {x.ShapeText}.");
        return (Contiguous(x), new PoolArguments { N = n, C = c, H = h, W = w, OH = oh, OW = ow, Size = size, Stride = stride, Padding = padding });
    }
}
