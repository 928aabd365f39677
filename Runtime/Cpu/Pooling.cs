using System.Numerics;

namespace Differentiable.Cpu;

/// <summary>Max and average pooling over (N, C, H, W), window by window; padding never wins a maximum.</summary>
internal static class Pooling
{
    /// <summary>The flat index within one image plane of the first maximum of the window at (oh, ow); −1 if the window is all padding.</summary>
    private static int ArgMax<T>(ReadOnlySpan<T> plane, Window g, int oh, int ow) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var best = -1;
        var max = T.NegativeInfinity;
        for (var i = 0; i < g.KH; i++)
        {
            var ih = oh * g.Stride - g.Padding + i;
            if ((uint)ih >= (uint)g.H) continue;
            for (var j = 0; j < g.KW; j++)
            {
                var iw = ow * g.Stride - g.Padding + j;
                if ((uint)iw >= (uint)g.W) continue;
                var v = plane[ih * g.W + iw];
                if (best < 0 || v > max || T.IsNaN(v) && !T.IsNaN(max))
                {
                    best = ih * g.W + iw;
                    max = v;
                }
            }
        }
        return best;
    }

    public static void MaxForward<T>(ReadOnlySpan<T> x, Span<T> y, Window g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var plane = 0; plane < g.N * g.C; plane++)
        {
            var src = x.Slice(plane * g.H * g.W, g.H * g.W);
            var dst = y.Slice(plane * g.Positions, g.Positions);
            for (var oh = 0; oh < g.OH; oh++)
                for (var ow = 0; ow < g.OW; ow++)
                {
                    var at = ArgMax(src, g, oh, ow);
                    dst[oh * g.OW + ow] = at < 0 ? T.NegativeInfinity : src[at];
                }
        }
    }

    /// <summary>dx: each window's upstream gradient added at the position of its first maximum.</summary>
    public static void MaxBackward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> x, Span<T> dx, Window g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx.Clear();
        for (var plane = 0; plane < g.N * g.C; plane++)
        {
            var src = x.Slice(plane * g.H * g.W, g.H * g.W);
            var grad = dy.Slice(plane * g.Positions, g.Positions);
            var dst = dx.Slice(plane * g.H * g.W, g.H * g.W);
            for (var oh = 0; oh < g.OH; oh++)
                for (var ow = 0; ow < g.OW; ow++)
                {
                    var at = ArgMax(src, g, oh, ow);
                    if (at >= 0) dst[at] += grad[oh * g.OW + ow];
                }
        }
    }

    /// <summary>Window means with padding counted as zeros (torch's count_include_pad=True): every window divides by kH·kW.</summary>
    public static void AvgForward<T>(ReadOnlySpan<T> x, Span<T> y, Window g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var scale = T.One / T.CreateChecked(g.KH * g.KW);
        for (var plane = 0; plane < g.N * g.C; plane++)
        {
            var src = x.Slice(plane * g.H * g.W, g.H * g.W);
            var dst = y.Slice(plane * g.Positions, g.Positions);
            for (var oh = 0; oh < g.OH; oh++)
                for (var ow = 0; ow < g.OW; ow++)
                {
                    var sum = T.Zero;
                    for (var i = 0; i < g.KH; i++)
                    {
                        var ih = oh * g.Stride - g.Padding + i;
                        if ((uint)ih >= (uint)g.H) continue;
                        for (var j = 0; j < g.KW; j++)
                        {
                            var iw = ow * g.Stride - g.Padding + j;
                            if ((uint)iw < (uint)g.W) sum += src[ih * g.W + iw];
                        }
                    }
                    dst[oh * g.OW + ow] = sum * scale;
                }
        }
    }

    /// <summary>dx: each window's upstream gradient spread evenly (÷ kH·kW) over the input positions it covers.</summary>
    public static void AvgBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, Window g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        dx.Clear();
        var scale = T.One / T.CreateChecked(g.KH * g.KW);
        for (var plane = 0; plane < g.N * g.C; plane++)
        {
            var grad = dy.Slice(plane * g.Positions, g.Positions);
            var dst = dx.Slice(plane * g.H * g.W, g.H * g.W);
            for (var oh = 0; oh < g.OH; oh++)
                for (var ow = 0; ow < g.OW; ow++)
                {
                    var share = grad[oh * g.OW + ow] * scale;
                    for (var i = 0; i < g.KH; i++)
                    {
                        var ih = oh * g.Stride - g.Padding + i;
                        if ((uint)ih >= (uint)g.H) continue;
                        for (var j = 0; j < g.KW; j++)
                        {
                            var iw = ow * g.Stride - g.Padding + j;
                            if ((uint)iw < (uint)g.W) dst[ih * g.W + iw] += share;
                        }
                    }
                }
        }
    }
}
