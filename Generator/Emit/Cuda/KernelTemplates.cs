namespace Differentiable.Generator.Emit.Cuda;

/// <summary>
/// CUDA C for the ops that are not fused elementwise expressions. Every source starts with the runtime's
/// <c>KernelPrelude.Source</c> (the <c>Geometry</c> struct and the index, group-reduction and tiled-product helpers
/// these templates call). Most templates use one thread per output element; the matrix product a block per 32×32
/// tile (the prelude's <c>tile_product</c>), and the long reductions a group of threads per output element;
/// <c>NAME</c> becomes the node's name. The
/// integer attributes each reads from <c>g.ints</c> are set by the runtime's <c>ProgramBuilder</c> method of the
/// same op: the two must agree.
/// </summary>
internal static class KernelTemplates
{
    private const string Start = @"{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
";

    /// <summary>
    /// out (M, N) = a (M, K) · b (K, N): the prelude's <c>tile_product</c> gives each thread its 2×2 elements of a
    /// 32×32 tile (one block of 256 threads per tile, K through shared memory). Small products have too few tiles to
    /// fill a GPU, so the runtime may split K over <c>ints[7]</c> blocks per tile (<c>ints[8]</c> values of K each);
    /// split block s writes its partial product to out + s·M·N and the prelude's <c>sum_partials</c> adds them in order.
    /// ints: M, N, K, a's row and column strides, b's row and column strides, splits, K per split.
    /// </summary>
    public static string MatMul => MatMulSource(
        @"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ a, const float* __restrict__ b)", "value");

    /// <summary>
    /// The matrix product with an elementwise epilogue (bias, activation, a gradient mask): <c>NAME_epilogue(g, i,
    /// first, value, leaves...)</c>, written by the emitter, turns each element of the product into the output.
    /// When <c>g.ints[9] == 1</c> the product kernel applies it as it stores; otherwise (K split, or an epilogue that
    /// broadcasts the product to a larger output) the kernel stores <c>g.ints[7]</c> partial products of
    /// <c>g.ints[10]</c> elements and <c>NAME_sum</c>, one thread per output element, adds them (the product read
    /// through pointer 1's strides) and applies it. The epilogue's inputs are pointers 3… of the product kernel and
    /// 2… of the sum kernel (<c>first</c>).
    /// </summary>
    public static string MatMulWithEpilogue(string leafParameters, string leafArguments) =>
        MatMulSource(@"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ a, const float* __restrict__ b" + leafParameters + ")",
            "g.ints[9] == 1 ? NAME_epilogue(g, r * N + n, 3, value" + leafArguments + ") : value") + @"
extern ""C"" __global__ void NAME_sum(const Geometry g, float* __restrict__ out, const float* __restrict__ partials" + leafParameters + @")
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    float sum = 0.0f;
    const int at_product = at(g, 1, i);
    for (int s = 0; s < g.ints[7]; ++s) sum += partials[(long)s * g.ints[10] + at_product];
    out[i] = NAME_epilogue(g, i, 2, sum" + leafArguments + @");
}
";

    /// <summary>The names the product and sum kernels declare: an epilogue's inputs must not take them.</summary>
    public static readonly string[] MatMulLocals =
        { "a", "b", "M", "N", "tile", "product", "e", "r", "n", "value", "partials", "sum", "s", "first", "at_product" };

    /// <summary>The product kernel with <paramref name="signature"/>; <paramref name="stored"/> is what element (r, n) of value <c>value</c> stores.</summary>
    private static string MatMulSource(string signature, string stored) => signature + @"
{
    const TileProduct tile = tile_product(g, a, b);
    const int M = g.ints[0], N = g.ints[1];
    float* product = out + (long)tile.split * M * N;
    #pragma unroll
    for (int e = 0; e < 4; ++e)
    {
        const int r = tile.row + (e / 2) * 16, n = tile.column + (e % 2) * 16;
        const float value = tile.c[e];
        if (r < M && n < N) product[(long)r * N + n] = " + stored + @";
    }
}
";

    // Reductions give each output element a group of ints[2] threads (see the prelude's group_sum); a thread past the
    // last output still takes part in the group's barriers and writes nothing.
    private const string GroupStart = @"{
    const int group = g.ints[2];
    const int t = blockIdx.x * blockDim.x + threadIdx.x, i = t / group, lane = t % group;
    const bool active = i < g.count;
";

    /// <summary>Σ over the reduced elements; scalars[0] = 1/n turns it into a mean. ints: reduced-dimension mask, n, group.</summary>
    public static string Reduce(bool mean) => @"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
" + GroupStart + @"    float sum = 0.0f;
    if (active)
    {
        const float* first = x + reduced_base(g, i);
        for (int r = lane; r < g.ints[1]; r += group) sum += first[reduced_offset(g, r)];
    }
    sum = group_sum(sum, group);
    if (active && lane == 0) out[i] = " + (mean ? "sum * g.scalars[0]" : "sum") + @";
}
";

    /// <summary>log Σ exp over the reduced elements, shifted by their maximum so nothing overflows.</summary>
    public const string LogSumExp = @"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
" + GroupStart + @"    const float* first = x + (active ? reduced_base(g, i) : 0);
    float top = -INFINITY;
    if (active)
        for (int r = lane; r < g.ints[1]; r += group) top = fmaxf(top, first[reduced_offset(g, r)]);
    top = group_max(top, group);
    float sum = 0.0f;
    if (active && top != -INFINITY)
        for (int r = lane; r < g.ints[1]; r += group) sum += expf(first[reduced_offset(g, r)] - top);
    sum = group_sum(sum, group);
    if (active && lane == 0) out[i] = top == -INFINITY ? -INFINITY : top + logf(sum);
}
";

    /// <summary>out[i] = x[i, labels[i]]; ints: classes, x's row and column strides.</summary>
    public const string Gather = @"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ x, const int* __restrict__ labels)
" + Start + @"    out[i] = x[(long)i * g.ints[1] + (long)labels[i] * g.ints[2]];
}
";

    /// <summary>out (n, classes): the upstream gradient at [row, labels[row]], zero elsewhere; ints: classes, the gradient's stride.</summary>
    public const string ScatterLabels = @"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ gradient, const int* __restrict__ labels)
" + Start + @"    const int row = i / g.ints[0], column = i % g.ints[0];
    out[i] = column == labels[row] ? gradient[(long)row * g.ints[1]] : 0.0f;
}
";

    /// <summary>a and b joined along dimension ints[0] (of 4); ints[1] = a's extent along it.</summary>
    public const string Concat = @"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ a, const float* __restrict__ b)
" + Start + @"    int c[4], rest = i;
    for (int d = 3; d >= 0; --d) { c[d] = rest % g.dims[d]; rest /= g.dims[d]; }
    const int from_b = c[g.ints[0]] >= g.ints[1];
    if (from_b) c[g.ints[0]] -= g.ints[1];
    const int p = from_b ? 2 : 1;
    const int offset = c[0] * g.strides[p][0] + c[1] * g.strides[p][1] + c[2] * g.strides[p][2] + c[3] * g.strides[p][3];
    out[i] = from_b ? b[offset] : a[offset];
}
";

    private const string ConvolutionInts = @"    const int N = g.ints[0], C = g.ints[1], H = g.ints[2], W = g.ints[3], O = g.ints[4];
    const int KH = g.ints[5], KW = g.ints[6], OH = g.ints[7], OW = g.ints[8], stride = g.ints[9], pad = g.ints[10];
";

    /// <summary>out (N, O, OH, OW) = x (N, C, H, W) correlated with w (O, C, KH, KW); zero padding.</summary>
    public const string Conv2d = @"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ x, const float* __restrict__ w)
" + Start + ConvolutionInts + @"    const int ow = i % OW, oh = (i / OW) % OH, o = (i / (OW * OH)) % O, n = i / (OW * OH * O);
    float sum = 0.0f;
    for (int c = 0; c < C; ++c)
        for (int kh = 0; kh < KH; ++kh)
        {
            const int h = oh * stride - pad + kh;
            if (h < 0 || h >= H) continue;
            for (int kw = 0; kw < KW; ++kw)
            {
                const int wi = ow * stride - pad + kw;
                if (wi < 0 || wi >= W) continue;
                sum += x[((n * C + c) * H + h) * W + wi] * w[((o * C + c) * KH + kh) * KW + kw];
            }
        }
    out[i] = sum;
    (void)N;
}
";

    /// <summary>out (N, C, H, W): per input element, the sum over the windows that read it of gradient × weight.</summary>
    public const string Conv2dInputGradient = @"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ gradient, const float* __restrict__ w)
" + Start + ConvolutionInts + @"    const int wi = i % W, h = (i / W) % H, c = (i / (W * H)) % C, n = i / (W * H * C);
    float sum = 0.0f;
    for (int kh = 0; kh < KH; ++kh)
    {
        const int th = h + pad - kh;
        if (th < 0 || th % stride != 0 || th / stride >= OH) continue;
        for (int kw = 0; kw < KW; ++kw)
        {
            const int tw = wi + pad - kw;
            if (tw < 0 || tw % stride != 0 || tw / stride >= OW) continue;
            for (int o = 0; o < O; ++o)
                sum += gradient[((n * O + o) * OH + th / stride) * OW + tw / stride] * w[((o * C + c) * KH + kh) * KW + kw];
        }
    }
    out[i] = sum;
    (void)N;
}
";

    /// <summary>
    /// out (O, C, KH, KW): per weight, the sum over the batch and all output positions of gradient × input, split
    /// over a group of ints[11] threads per weight (the sum is long: N·OH·OW terms).
    /// </summary>
    public const string Conv2dWeightGradient = @"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ gradient, const float* __restrict__ x)
{
" + ConvolutionInts + @"    const int group = g.ints[11];
    const int t = blockIdx.x * blockDim.x + threadIdx.x, i = t / group, lane = t % group;
    const bool active = i < g.count;
    const int kw = i % KW, kh = (i / KW) % KH, c = (i / (KW * KH)) % C, o = i / (KW * KH * C);
    float sum = 0.0f;
    if (active)
        for (int r = lane; r < N * OH * OW; r += group)
        {
            const int ow = r % OW, oh = (r / OW) % OH, n = r / (OW * OH);
            const int h = oh * stride - pad + kh, wi = ow * stride - pad + kw;
            if (h < 0 || h >= H || wi < 0 || wi >= W) continue;
            sum += gradient[((n * O + o) * OH + oh) * OW + ow] * x[((n * C + c) * H + h) * W + wi];
        }
    sum = group_sum(sum, group);
    if (active && lane == 0) out[i] = sum;
}
";

    private const string PoolInts = @"    const int C = g.ints[1], H = g.ints[2], W = g.ints[3], OH = g.ints[4], OW = g.ints[5];
    const int K = g.ints[6], stride = g.ints[7], pad = g.ints[8];
";

    /// <summary>The position of the first maximum of a window (padding never wins), as the CPU picks it; −1 if empty. Once per source that pools.</summary>
    public const string MaxPoolHelper = @"// The position of the first maximum of a window, as the CPU picks it (padding never wins); -1 if it is empty.
__device__ __forceinline__ int window_argmax(const float* plane, int H, int W, int K, int stride, int pad, int oh, int ow)
{
    int best = -1;
    float top = -INFINITY;
    for (int kh = 0; kh < K; ++kh)
    {
        const int h = oh * stride - pad + kh;
        if (h < 0 || h >= H) continue;
        for (int kw = 0; kw < K; ++kw)
        {
            const int w = ow * stride - pad + kw;
            if (w < 0 || w >= W) continue;
            const float v = plane[h * W + w];
            if (best < 0 || v > top || (isnan(v) && !isnan(top))) { best = h * W + w; top = v; }
        }
    }
    return best;
}
";

    public const string MaxPool2d = @"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
" + Start + PoolInts + @"    const int ow = i % OW, oh = (i / OW) % OH, plane = i / (OW * OH);
    const float* source = x + (long)plane * H * W;
    const int best = window_argmax(source, H, W, K, stride, pad, oh, ow);
    out[i] = best < 0 ? -INFINITY : source[best];
    (void)C;
}
";

    public const string MaxPool2dBackward = @"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ gradient, const float* __restrict__ x)
" + Start + PoolInts + @"    const int w = i % W, h = (i / W) % H, plane = i / (W * H);
    const float* source = x + (long)plane * H * W;
    float sum = 0.0f;
    for (int oh = 0; oh < OH; ++oh)
    {
        const int top = oh * stride - pad;
        if (h < top || h >= top + K) continue;
        for (int ow = 0; ow < OW; ++ow)
        {
            const int left = ow * stride - pad;
            if (w < left || w >= left + K) continue;
            if (window_argmax(source, H, W, K, stride, pad, oh, ow) == h * W + w) sum += gradient[((long)plane * OH + oh) * OW + ow];
        }
    }
    out[i] = sum;
    (void)C;
}
";

    /// <summary>The mean of each window; padding counts as zeros (the divisor is always K²), as on the CPU.</summary>
    public const string AvgPool2d = @"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
" + Start + PoolInts + @"    const int ow = i % OW, oh = (i / OW) % OH, plane = i / (OW * OH);
    const float* source = x + (long)plane * H * W;
    float sum = 0.0f;
    for (int kh = 0; kh < K; ++kh)
    {
        const int h = oh * stride - pad + kh;
        if (h < 0 || h >= H) continue;
        for (int kw = 0; kw < K; ++kw)
        {
            const int w = ow * stride - pad + kw;
            if (w >= 0 && w < W) sum += source[h * W + w];
        }
    }
    out[i] = sum * (1.0f / (K * K));
    (void)C;
}
";

    public const string AvgPool2dBackward = @"extern ""C"" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* __restrict__ gradient)
" + Start + PoolInts + @"    const int w = i % W, h = (i / W) % H, plane = i / (W * H);
    float sum = 0.0f;
    for (int oh = 0; oh < OH; ++oh)
    {
        const int top = oh * stride - pad;
        if (h < top || h >= top + K) continue;
        for (int ow = 0; ow < OW; ++ow)
        {
            const int left = ow * stride - pad;
            if (w >= left && w < left + K) sum += gradient[((long)plane * OH + oh) * OW + ow];
        }
    }
    out[i] = sum * (1.0f / (K * K));
    (void)C;
}
";
}
