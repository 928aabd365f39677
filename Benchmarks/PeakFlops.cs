using System.Diagnostics;
using System.Runtime.Intrinsics;

namespace Differentiable.Benchmarks;

/// <summary>
/// This machine's float32 peak, measured: every core runs independent fused multiply-adds on the widest vectors the
/// JIT offers (<see cref="Vector512"/> when accelerated, else <see cref="Vector256"/>), enough accumulators that the
/// FMA latency is hidden (latency × FMA pipes: 4 × 2 = 8 on Zen 3 and 4, 5 × 2 = 10 on Zen 2; 12 with AVX2's 16 registers). Two flops per lane per FMA. What the side-by-side table divides achieved GFLOP/s by.
/// </summary>
public static class PeakFlops
{
    private static float _sink;

    /// <summary>
    /// The best of several windows of <see cref="Window"/>: the peak is a property of the hardware, and on a shared
    /// machine other load only ever lowers a window's rate (one 3-second window measured 92 GFLOP/s here while its
    /// neighbours reached 127–132), so the highest window is the estimate.
    /// </summary>
    public static double MeasureGflops(int threads, TimeSpan duration)
    {
        var windows = Math.Max(1, (int)(duration / Window));
        var best = 0.0;
        for (var i = 0; i < windows; i++) best = Math.Max(best, MeasureWindow(threads, Window));
        return best;
    }

    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(250);

    private static double MeasureWindow(int threads, TimeSpan duration)
    {
        long iterations = 0;
        var lanes = Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count;
        var clock = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            long done = 0;
            var sink = 0f;
            while (clock.Elapsed < duration)
            {
                sink += Vector512.IsHardwareAccelerated ? Fma512(1 << 16) : Fma256(1 << 16);
                done += 1 << 16;
            }
            Interlocked.Add(ref iterations, done);
            Volatile.Write(ref _sink, sink);   // the sums are used, so no FMA can be optimized away
        });
        var seconds = clock.Elapsed.TotalSeconds;
        // Each iteration: 8 (Vector512) or 12 (Vector256) accumulators × one FMA × lanes × 2 flops.
        return iterations * (Vector512.IsHardwareAccelerated ? 8.0 : 12.0) * lanes * 2 / seconds / 1e9;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static float Fma512(int count)
    {
        var m = Vector512.Create(0.999f);
        var a = Vector512.Create(0.5f);
        Vector512<float> s0 = a, s1 = a, s2 = a, s3 = a, s4 = a, s5 = a, s6 = a, s7 = a;
        for (var i = 0; i < count; i++)
        {
            s0 = Vector512.FusedMultiplyAdd(s0, m, a); s1 = Vector512.FusedMultiplyAdd(s1, m, a);
            s2 = Vector512.FusedMultiplyAdd(s2, m, a); s3 = Vector512.FusedMultiplyAdd(s3, m, a);
            s4 = Vector512.FusedMultiplyAdd(s4, m, a); s5 = Vector512.FusedMultiplyAdd(s5, m, a);
            s6 = Vector512.FusedMultiplyAdd(s6, m, a); s7 = Vector512.FusedMultiplyAdd(s7, m, a);
        }
        return Vector512.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static float Fma256(int count)
    {
        var m = Vector256.Create(0.999f);
        var a = Vector256.Create(0.5f);
        Vector256<float> s0 = a, s1 = a, s2 = a, s3 = a, s4 = a, s5 = a, s6 = a, s7 = a, s8 = a, s9 = a, s10 = a, s11 = a;
        for (var i = 0; i < count; i++)
        {
            s0 = Vector256.FusedMultiplyAdd(s0, m, a); s1 = Vector256.FusedMultiplyAdd(s1, m, a);
            s2 = Vector256.FusedMultiplyAdd(s2, m, a); s3 = Vector256.FusedMultiplyAdd(s3, m, a);
            s4 = Vector256.FusedMultiplyAdd(s4, m, a); s5 = Vector256.FusedMultiplyAdd(s5, m, a);
            s6 = Vector256.FusedMultiplyAdd(s6, m, a); s7 = Vector256.FusedMultiplyAdd(s7, m, a);
            s8 = Vector256.FusedMultiplyAdd(s8, m, a); s9 = Vector256.FusedMultiplyAdd(s9, m, a);
            s10 = Vector256.FusedMultiplyAdd(s10, m, a); s11 = Vector256.FusedMultiplyAdd(s11, m, a);
        }
        return Vector256.Sum(s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11);
    }
}
