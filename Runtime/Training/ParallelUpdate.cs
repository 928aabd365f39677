using Differentiable.Cpu;

namespace Differentiable.Training;

/// <summary>
/// Runs an optimizer's elementwise rule over a parameter, its gradient and its state, in chunks on all cores when the
/// parameter is large: an update reads and writes several buffers of the parameter's size and is bound by memory
/// bandwidth, which one core alone does not use up (SinNet's 784×512 weight is 1.6 MB per buffer).
/// </summary>
internal static unsafe class ParallelUpdate
{
    /// <summary>Below this many elements the update stays on the calling thread (a fork costs more).</summary>
    private const int ParallelThreshold = 1 << 15;

    /// <summary>Chunks are whole multiples of this many elements (whole cache lines and vectors).</summary>
    private const int Granule = 64;

    /// <summary>An elementwise update of elements [from, to) of p, with gradient g and state b (which may be null).</summary>
    public interface IRule<T> where T : unmanaged
    {
        void Apply(T* p, T* g, T* b, int from, int to);
    }

    /// <summary>rule.Apply over [0, length), split across cores for large parameters.</summary>
    public static void Run<T, TRule>(int length, nint p, nint g, nint b, TRule rule) where T : unmanaged where TRule : struct, IRule<T>
    {
        if (length < ParallelThreshold || CpuParallel.Threads == 1)
        {
            rule.Apply((T*)p, (T*)g, (T*)b, 0, length);
            return;
        }
        var parts = 2 * CpuParallel.Threads;
        var chunk = ((length + parts - 1) / parts + Granule - 1) / Granule * Granule;   // parts · chunk ≥ length
        CpuParallel.For(parts, t => rule.Apply((T*)p, (T*)g, (T*)b, Math.Min(length, t * chunk), Math.Min(length, (t + 1) * chunk)));
    }
}
