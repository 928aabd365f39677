namespace Differentiable.Cpu;

/// <summary>Joining along an axis and its adjoint, on tensors viewed as (outer, n, inner).</summary>
internal static class Concatenation
{
    /// <summary>dst (outer, na + nb, inner) = a (outer, na, inner) followed by b (outer, nb, inner) along the middle axis.</summary>
    public static void Concat<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> dst, int outer, int na, int nb, int inner) where T : unmanaged
    {
        var (sa, sb) = (na * inner, nb * inner);
        for (var o = 0; o < outer; o++)
        {
            a.Slice(o * sa, sa).CopyTo(dst.Slice(o * (sa + sb), sa));
            b.Slice(o * sb, sb).CopyTo(dst.Slice(o * (sa + sb) + sa, sb));
        }
    }

    /// <summary>dst (outer, n, inner)[:, start : start + count, :] = src (outer, count, inner): one part of an n-ary concatenation.</summary>
    public static void Place<T>(ReadOnlySpan<T> src, Span<T> dst, int outer, int n, int start, int count, int inner) where T : unmanaged
    {
        for (var o = 0; o < outer; o++)
            src.Slice(o * count * inner, count * inner).CopyTo(dst.Slice((o * n + start) * inner, count * inner));
    }

    /// <summary>dst (outer, count, inner) = src (outer, n, inner)[:, start : start + count, :].</summary>
    public static void Slice<T>(ReadOnlySpan<T> src, Span<T> dst, int outer, int n, int start, int count, int inner) where T : unmanaged
    {
        for (var o = 0; o < outer; o++)
            src.Slice((o * n + start) * inner, count * inner).CopyTo(dst.Slice(o * count * inner, count * inner));
    }
}
