using System.Diagnostics;

namespace Differentiable.Cpu;

/// <summary>
/// The CPU kernels' fork-join: <see cref="For"/> runs body(0..parts−1) on the calling thread and on persistent worker
/// threads, one per further core. A training step forks dozens of times (every large product, convolution and pooling),
/// a few hundred microseconds apart; <see cref="Parallel.For(int, int, Action{int})"/> hands each fork to the thread
/// pool, whose workers may have gone to sleep in between, and waking one costs tens of microseconds, sometimes far more
/// on a busy virtual machine. Here a worker that has finished spins for a short while (<see cref="SpinTime"/>) before
/// it blocks, as OpenMP's and OpenBLAS's threads do, so back-to-back forks start at once. The spin is bounded, so an
/// idle process does not keep a core busy.
/// </summary>
/// <remarks>
/// Parts are handed out one at a time; which thread runs which part varies from run to run, so callers give each part
/// disjoint output (or partial sums added in part order afterwards): results never depend on the thread count or on
/// the schedule. A fork from inside a part, or from a second thread while one is running, runs its parts inline on
/// the calling thread: the workers are shared by the whole process and never wait on each other.
/// </remarks>
internal static class CpuParallel
{
    /// <summary>How long an idle worker spins, waiting for the next fork, before it blocks.</summary>
    private static readonly TimeSpan SpinTime = TimeSpan.FromMilliseconds(1);

    /// <summary>Worker threads besides the caller: one per further core, at most 7.</summary>
    public static int Workers { get; } = Math.Clamp(Environment.ProcessorCount, 1, 8) - 1;

    /// <summary>The threads that run a fork's parts: the caller and the workers.</summary>
    public static int Threads => Workers + 1;

    private static Job? _current;
    private static long _generation;
    private static int _running;
    private static int _sleeping;
    private static readonly SemaphoreSlim Wake = new(0);

    static CpuParallel()
    {
        for (var i = 0; i < Workers; i++)
            new Thread(WorkerLoop) { IsBackground = true, Name = $"Differentiable CPU worker {i + 1}" }.Start();
    }

    /// <summary>Runs body(part) for every part in [0, parts), across the cores; returns when all have run.</summary>
    public static void For(int parts, Action<int> body)
    {
        if (parts <= 1 || Workers == 0 || Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            for (var part = 0; part < parts; part++) body(part);
            return;
        }
        try
        {
            var job = new Job(body, parts);
            Volatile.Write(ref _current, job);
            Interlocked.Increment(ref _generation);
            // A worker counts itself asleep before its last look at the generation, so either it sees this fork or
            // this read sees it asleep (both are full fences).
            var sleeping = Volatile.Read(ref _sleeping);
            if (sleeping > 0) Wake.Release(Math.Min(sleeping, parts - 1));
            job.RunParts();
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Unfinished) > 0) spin.SpinOnce(sleep1Threshold: -1);
            Volatile.Write(ref _current, null);
            if (job.Error is { } error) throw new AggregateException(error);
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private static void WorkerLoop()
    {
        long seen = 0;
        while (true)
        {
            var idleSince = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _generation) == seen)
            {
                if (Stopwatch.GetElapsedTime(idleSince) < SpinTime)
                {
                    Thread.SpinWait(8);
                    continue;
                }
                Interlocked.Increment(ref _sleeping);
                if (Volatile.Read(ref _generation) == seen) Wake.Wait();
                Interlocked.Decrement(ref _sleeping);
                idleSince = Stopwatch.GetTimestamp();
            }
            seen = Volatile.Read(ref _generation);
            // The job of this generation, or a later one, or none if its parts are done already: each job hands out
            // its own part indices, so a worker late for one fork can never run another fork's part with this body.
            Volatile.Read(ref _current)?.RunParts();
        }
    }

    /// <summary>One fork: its body and its own counters, so a late worker cannot mix two forks.</summary>
    private sealed class Job(Action<int> body, int parts)
    {
        private readonly int _parts = parts;
        private int _next;
        public int Unfinished = parts;
        public Exception? Error;

        public void RunParts()
        {
            int part;
            while ((part = Interlocked.Increment(ref _next) - 1) < _parts)
            {
                try
                {
                    body(part);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref Error, e, null);
                }
                Interlocked.Decrement(ref Unfinished);
            }
        }
    }
}
