using System.Numerics;

namespace Differentiable.Cpu;

/// <summary>Row-wise picking by class label. Labels are validated by the caller.</summary>
internal static class Indexing
{
    /// <summary>dst[i] = h[i, labels[i]] for h of shape (n, c).</summary>
    public static void Gather<T>(ReadOnlySpan<T> h, ReadOnlySpan<int> labels, Span<T> dst, int c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < labels.Length; i++) dst[i] = h[i * c + labels[i]];
    }

    /// <summary>The adjoint of <see cref="Gather{T}"/>: dst (n, c) is zeroed, then dst[i, labels[i]] = g[i].</summary>
    public static void Scatter<T>(ReadOnlySpan<T> g, ReadOnlySpan<int> labels, Span<T> dst, int c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        dst.Clear();
        for (var i = 0; i < labels.Length; i++) dst[i * c + labels[i]] = g[i];
    }
}
