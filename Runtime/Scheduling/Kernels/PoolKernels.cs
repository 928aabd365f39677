using System.Runtime.InteropServices;

namespace Differentiable.Scheduling;

/// <summary>What the pooling kernels read: x (N, C, H, W), output (N, C, OH, OW), square windows.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct PoolArguments
{
    public int N, C, H, W, OH, OW, Size, Stride, Padding;
}

/// <summary>Max and average pooling and their gradients on contiguous tensors, one thread per output element.</summary>
public static class PoolKernels
{
    public const string ArgumentsCuda = @"struct PoolArguments
{
    int n, c, h, w, oh, ow, size, stride, padding;
};
";

    public const string Kernels = ArgumentsCuda + @"
// The position of the first maximum of window (oh, ow) of a plane, as the CPU picks it (padding never wins); -1 if
// the window is empty.
__device__ __forceinline__ int window_argmax(const float* plane, const PoolArguments& s, int oh, int ow)
{
    int best = -1;
    float top = -INFINITY;
    for (int kh = 0; kh < s.size; ++kh)
    {
        const int h = oh * s.stride - s.padding + kh;
        if (h < 0 || h >= s.h) continue;
        for (int kw = 0; kw < s.size; ++kw)
        {
            const int w = ow * s.stride - s.padding + kw;
            if (w < 0 || w >= s.w) continue;
            const float v = plane[h * s.w + w];
            if (best < 0 || v > top || (isnan(v) && !isnan(top))) { best = h * s.w + w; top = v; }
        }
    }
    return best;
}

extern ""C"" __global__ void max_pool2d(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    const PoolArguments& s = arguments_of<PoolArguments>(g);
    const int ow = i % s.ow, oh = (i / s.ow) % s.oh, plane = i / (s.ow * s.oh);
    const float* source = x + (long)plane * s.h * s.w;
    const int best = window_argmax(source, s, oh, ow);
    out[i] = best < 0 ? -INFINITY : source[best];
}

// Each element of x collects the gradient of the windows whose first maximum it is.
extern ""C"" __global__ void max_pool2d_backward(const Geometry g, float* __restrict__ out, const float* __restrict__ gradient, const float* __restrict__ x)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    const PoolArguments& s = arguments_of<PoolArguments>(g);
    const int w = i % s.w, h = (i / s.w) % s.h, plane = i / (s.w * s.h);
    const float* source = x + (long)plane * s.h * s.w;
    float sum = 0.0f;
    for (int oh = 0; oh < s.oh; ++oh)
    {
        const int top = oh * s.stride - s.padding;
        if (h < top || h >= top + s.size) continue;
        for (int ow = 0; ow < s.ow; ++ow)
        {
            const int left = ow * s.stride - s.padding;
            if (w < left || w >= left + s.size) continue;
            if (window_argmax(source, s, oh, ow) == h * s.w + w) sum += gradient[((long)plane * s.oh + oh) * s.ow + ow];
        }
    }
    out[i] = sum;
}

// The mean of each window; padding counts as zeros (the divisor is always size²), as on the CPU.
extern ""C"" __global__ void avg_pool2d(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    const PoolArguments& s = arguments_of<PoolArguments>(g);
    const int ow = i % s.ow, oh = (i / s.ow) % s.oh, plane = i / (s.ow * s.oh);
    const float* source = x + (long)plane * s.h * s.w;
    float sum = 0.0f;
    for (int kh = 0; kh < s.size; ++kh)
    {
        const int h = oh * s.stride - s.padding + kh;
        if (h < 0 || h >= s.h) continue;
        for (int kw = 0; kw < s.size; ++kw)
        {
            const int w = ow * s.stride - s.padding + kw;
            if (w >= 0 && w < s.w) sum += source[h * s.w + w];
        }
    }
    out[i] = sum * (1.0f / (s.size * s.size));
}

// Each element of x collects 1/size² of the gradient of every window that covers it.
extern ""C"" __global__ void avg_pool2d_backward(const Geometry g, float* __restrict__ out, const float* __restrict__ gradient)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    const PoolArguments& s = arguments_of<PoolArguments>(g);
    const int w = i % s.w, h = (i / s.w) % s.h, plane = i / (s.w * s.h);
    float sum = 0.0f;
    for (int oh = 0; oh < s.oh; ++oh)
    {
        const int top = oh * s.stride - s.padding;
        if (h < top || h >= top + s.size) continue;
        for (int ow = 0; ow < s.ow; ++ow)
        {
            const int left = ow * s.stride - s.padding;
            if (w >= left && w < left + s.size) sum += gradient[((long)plane * s.oh + oh) * s.ow + ow];
        }
    }
    out[i] = sum * (1.0f / (s.size * s.size));
}
";
}
