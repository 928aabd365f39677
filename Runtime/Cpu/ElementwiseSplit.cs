namespace Differentiable.Cpu;

/// <summary>
/// How an elementwise pass is split across the cores (<see cref="CpuParallel"/>). A fork costs a microsecond or two
/// when the workers are spinning between a step's kernels, a pass over 32K floats several; a training step's
/// activations (a convolution's 64×10×24×24, a batch of 100 × 512 features) are larger. Parts start at whole vectors
/// and the kernels work lane by lane, computing a pass's last partial vector apart (some by scalar code): so each
/// element gets the bits an unsplit pass gives it, and results do not depend on the number of cores.
/// </summary>
internal static class ElementwiseSplit
{
    /// <summary>Passes over at least this many elements are split.</summary>
    public const int From = 1 << 15;

    /// <summary>Parts start at multiples of this many elements: a whole number of vectors of any width.</summary>
    private const int Alignment = 64;

    /// <summary>How many parts a pass over <paramref name="n"/> elements is split into (1: it runs on the calling thread).</summary>
    public static int Parts(int n) => n < From ? 1 : Math.Min(CpuParallel.Threads, n / (From / 2));

    /// <summary>Runs body(start, length) over [0, n) in <paramref name="parts"/> pieces of whole vectors, across the cores.</summary>
    public static void Run(int n, int parts, Action<int, int> body)
    {
        var chunk = (n / parts + Alignment - 1) / Alignment * Alignment;
        CpuParallel.For(parts, p =>
        {
            var start = p * chunk;
            if (start < n) body(start, Math.Min(chunk, n - start));
        });
    }

    /// <summary>kernel(x, dst) over two spans of one length, split when they are long enough.</summary>
    public static unsafe void Run<T>(ReadOnlySpan<T> x, Span<T> dst, SpanKernel<T> kernel) where T : unmanaged
    {
        var parts = Parts(dst.Length);
        if (parts == 1)
        {
            kernel(x, dst);
            return;
        }
        fixed (T* px = x, pd = dst)
        {
            nint ax = (nint)px, ad = (nint)pd;
            Run(dst.Length, parts, (start, length) => kernel(new ReadOnlySpan<T>((T*)ax + start, length), new Span<T>((T*)ad + start, length)));
        }
    }

    public delegate void SpanKernel<T>(ReadOnlySpan<T> source, Span<T> destination);
}
