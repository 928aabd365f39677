using System.Runtime.InteropServices;

namespace Differentiable.Scheduling;

/// <summary>What the convolution kernels read: x (N, C, H, W), weights (O, C, KH, KW), output (N, O, OH, OW).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ConvolutionArguments
{
    public int N, C, H, W, O, KH, KW, OH, OW, Stride, Padding;
    /// <summary>Threads per weight in the weight gradient (its sums are N·OH·OW long).</summary>
    public int Group;
}

/// <summary>
/// The 2-D convolution (a correlation, zero padding) and its two gradients on contiguous tensors, one thread per
/// output element, a group of threads per weight for the weight gradient. <see cref="ProgramBuilder.Conv2d"/> and its
/// siblings launch them.
/// </summary>
public static class ConvolutionKernels
{
    public const string ArgumentsCuda = @"struct ConvolutionArguments
{
    int n, c, h, w, o, kh, kw, oh, ow, stride, padding;
    int group;
};
";

    /// <summary>Needs the reductions' <c>group_sum</c> before it.</summary>
    public const string Kernels = ArgumentsCuda + @"
// out (N, O, OH, OW) = x (N, C, H, W) correlated with w (O, C, KH, KW).
extern ""C"" __global__ void conv2d(const Geometry g, float* __restrict__ out, const float* __restrict__ x, const float* __restrict__ w)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    const ConvolutionArguments& s = arguments_of<ConvolutionArguments>(g);
    const int ow = i % s.ow, oh = (i / s.ow) % s.oh, o = (i / (s.ow * s.oh)) % s.o, n = i / (s.ow * s.oh * s.o);
    float sum = 0.0f;
    for (int c = 0; c < s.c; ++c)
        for (int kh = 0; kh < s.kh; ++kh)
        {
            const int h = oh * s.stride - s.padding + kh;
            if (h < 0 || h >= s.h) continue;
            for (int kw = 0; kw < s.kw; ++kw)
            {
                const int wi = ow * s.stride - s.padding + kw;
                if (wi < 0 || wi >= s.w) continue;
                sum += x[((n * s.c + c) * s.h + h) * s.w + wi] * w[((o * s.c + c) * s.kh + kh) * s.kw + kw];
            }
        }
    out[i] = sum;
}

// out (N, C, H, W): per input element, the sum over the windows that read it of gradient × weight.
extern ""C"" __global__ void conv2d_input_gradient(const Geometry g, float* __restrict__ out, const float* __restrict__ gradient, const float* __restrict__ w)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    const ConvolutionArguments& s = arguments_of<ConvolutionArguments>(g);
    const int wi = i % s.w, h = (i / s.w) % s.h, c = (i / (s.w * s.h)) % s.c, n = i / (s.w * s.h * s.c);
    float sum = 0.0f;
    for (int kh = 0; kh < s.kh; ++kh)
    {
        const int th = h + s.padding - kh;
        if (th < 0 || th % s.stride != 0 || th / s.stride >= s.oh) continue;
        for (int kw = 0; kw < s.kw; ++kw)
        {
            const int tw = wi + s.padding - kw;
            if (tw < 0 || tw % s.stride != 0 || tw / s.stride >= s.ow) continue;
            for (int o = 0; o < s.o; ++o)
                sum += gradient[((n * s.o + o) * s.oh + th / s.stride) * s.ow + tw / s.stride] * w[((o * s.c + c) * s.kh + kh) * s.kw + kw];
        }
    }
    out[i] = sum;
}

// out (O, C, KH, KW): per weight, the sum over the batch and all output positions of gradient × input, split over
// a group of threads per weight.
extern ""C"" __global__ void conv2d_weight_gradient(const Geometry g, float* __restrict__ out, const float* __restrict__ gradient, const float* __restrict__ x)
{
    const ConvolutionArguments& s = arguments_of<ConvolutionArguments>(g);
    const int t = blockIdx.x * blockDim.x + threadIdx.x, i = t / s.group, lane = t % s.group;
    const bool active = i < g.count;
    const int kw = i % s.kw, kh = (i / s.kw) % s.kh, c = (i / (s.kw * s.kh)) % s.c, o = i / (s.kw * s.kh * s.c);
    float sum = 0.0f;
    if (active)
        for (int r = lane; r < s.n * s.oh * s.ow; r += s.group)
        {
            const int ow = r % s.ow, oh = (r / s.ow) % s.oh, n = r / (s.ow * s.oh);
            const int h = oh * s.stride - s.padding + kh, wi = ow * s.stride - s.padding + kw;
            if (h < 0 || h >= s.h || wi < 0 || wi >= s.w) continue;
            sum += gradient[((n * s.o + o) * s.oh + oh) * s.ow + ow] * x[((n * s.c + c) * s.h + h) * s.w + wi];
        }
    sum = group_sum(sum, s.group);
    if (active && lane == 0) out[i] = sum;
}
";
}
