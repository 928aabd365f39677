using Differentiable.Cuda.Native;

namespace Differentiable.Cuda;

/// <summary>
/// Times work queued on a <see cref="CudaBackend"/> with CUDA events, which measure the GPU's own timeline: the time
/// from the first queued operation starting to the last one finishing, including the gaps in which the GPU waited
/// for the host to launch more (for small models those gaps are the cost worth measuring).
/// </summary>
public static class DeviceTimer
{
    /// <summary>
    /// Runs <paramref name="queue"/> <paramref name="warmupIterations"/> times untimed (compiles, caches, clocks), then
    /// <paramref name="iterations"/> times each between two events, and returns the median in microseconds: unlike
    /// the mean, one iteration disturbed by another process does not move it.
    /// </summary>
    public static double MedianMicroseconds(CudaBackend backend, Action queue, int iterations = 100, int warmupIterations = 10)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupIterations);

        for (var i = 0; i < warmupIterations; i++) queue();
        backend.Synchronize();

        backend.MakeCurrent();
        DriverCall.Check(CudaDriver.cuEventCreate(out var start, CuFlags.EventDefault), "creating a timing event");
        try
        {
            DriverCall.Check(CudaDriver.cuEventCreate(out var end, CuFlags.EventDefault), "creating a timing event");
            try
            {
                var samples = new double[iterations];
                for (var i = 0; i < iterations; i++)
                    samples[i] = TimeOnce(backend, queue, start, end);
                return Median(samples);
            }
            finally
            {
                CudaDriver.cuEventDestroy(end);
            }
        }
        finally
        {
            CudaDriver.cuEventDestroy(start);
        }
    }

    private static double TimeOnce(CudaBackend backend, Action queue, IntPtr start, IntPtr end)
    {
        DriverCall.Check(CudaDriver.cuEventRecord(start, backend.Stream), "recording a timing event");
        queue();
        backend.MakeCurrent();
        DriverCall.Check(CudaDriver.cuEventRecord(end, backend.Stream), "recording a timing event");
        DriverCall.Check(CudaDriver.cuEventSynchronize(end), "waiting for the timed work");
        DriverCall.Check(CudaDriver.cuEventElapsedTime(out var milliseconds, start, end), "reading the time between two events");
        return milliseconds * 1000.0;
    }

    private static double Median(double[] samples)
    {
        Array.Sort(samples);
        var middle = samples.Length / 2;
        return samples.Length % 2 == 1 ? samples[middle] : (samples[middle - 1] + samples[middle]) / 2;
    }
}
