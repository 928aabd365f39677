using Differentiable.Scheduling;
using Differentiable.Tests.Support.Emulation;

namespace Differentiable.Tests.Emulation;

/// <summary>
/// Barriers and warp operations that not every thread reaches are undefined behaviour on a GPU (a hang, or wrong
/// results); in the emulator the launch fails at once with a message that names the kernel and says who waits where.
/// Each kernel here is valid CUDA that compiles; only running it is wrong.
/// </summary>
public sealed class DivergentSynchronizationTests : IDisposable
{
    private const string EarlyReturnSource = KernelPrelude.Geometry + """
        // The classic bug: threads past the end return before the barrier that the others wait at.
        extern "C" __global__ void early_return(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
        {
            __shared__ float staged[256];
            const int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i >= g.count) return;
            staged[threadIdx.x] = x[i];
            __syncthreads();
            out[i] = staged[0];
        }
        """;

    private readonly EmulatorBench _bench;

    public DivergentSynchronizationTests()
    {
        EmulatorRequirement.SkipUnlessAvailable();
        _bench = new EmulatorBench();
    }

    public void Dispose() => _bench.Dispose();

    [SkippableFact]
    public void ReturningBeforeABarrierFailsTheLaunchNamingTheKernelAndTheThreads()
    {
        var kernel = _bench.Load(EarlyReturnSource, "divergent", "early_return");
        var x = _bench.Upload(new float[1024]);
        var output = _bench.Backend.Allocate(1024 * sizeof(float));

        // 1000 elements in 4 blocks of 256: blocks 0 to 2 are full; in block 3, threads 232 to 255 return.
        var error = Assert.Throws<InvalidOperationException>(() =>
            _bench.Backend.Launch(kernel, 4, 256, EmulatorBench.Geometry(1000), [output, x]));

        var line = EarlyReturnSource.Split('\n').ToList().FindIndex(text => text.Contains("__syncthreads")) + 1;
        Assert.Equal(
            $"Kernel 'early_return' (module 'divergent'): thread 232 of block 3 returned while 232 thread(s) wait at the " +
            $"__syncthreads on line {line} — a barrier must be reached by every thread of the block.",
            error.Message);
    }

    [SkippableFact]
    public void AfterAFailedLaunchTheNextOneRunsNormally()
    {
        var kernel = _bench.Load(EarlyReturnSource, "divergent", "early_return");
        var x = _bench.Upload(Enumerable.Range(0, 1024).Select(v => (float)v).ToArray());
        var output = _bench.Backend.Allocate(1024 * sizeof(float));
        Assert.Throws<InvalidOperationException>(() => _bench.Backend.Launch(kernel, 4, 256, EmulatorBench.Geometry(1000), [output, x]));

        // With as many elements as threads, no thread returns early: the fibers abandoned mid-block start afresh.
        _bench.Backend.Launch(kernel, 4, 256, EmulatorBench.Geometry(1024), [output, x]);

        Assert.Equal(Enumerable.Range(0, 1024).Select(i => i / 256 * 256f), _bench.Download<float>(output, 1024));
    }

    // Each body starts on line {0} of its module; where the threads wait is written as line {0}, {1}, ... (the emulator
    // tells barriers and shuffles apart by line, so the ones that differ are on lines of their own).
    public static TheoryData<string, string, string> DivergentKernels => new()
    {
        {
            "two_barriers",
            """
            if (threadIdx.x < 128) { staged[threadIdx.x] = v; __syncthreads(); }
            else { __syncthreads(); }
            out[i] = staged[threadIdx.x % 128];
            """,
            "thread 128 of block 0 reached the __syncthreads on line {1} while 128 thread(s) wait at the one on line {0} — every thread of the block must reach the same barrier"
        },
        {
            "split_shuffles",
            """
            if (lane < 16) v = __shfl_down_sync(0xffffffff, v, 1);
            else v = __shfl_up_sync(0xffffffff, v, 1);
            out[i] = v;
            """,
            "thread 16 of block 0 reached the __shfl_up_sync on line {1} while 16 lane(s) of its warp wait at the __shfl_down_sync on line {0} — the lanes of a warp must execute the same warp operation"
        },
        {
            "shuffle_beside_barrier",
            """
            if (lane == 0) __syncthreads();
            else v = __shfl_xor_sync(0xffffffff, v, 1);
            out[i] = v;
            """,
            "31 lane(s) of warp 0 in block 0 wait at the __shfl_xor_sync on line {1} while thread 0 of that warp waits at the __syncthreads on line {0} — every lane of a warp that has not returned must reach the same warp operation"
        },
        {
            "partial_mask",
            """
            if (lane < 16) v = __shfl_sync(0x0000ffff, v, 0);
            out[i] = v;
            """,
            "thread 0 of block 0 calls __shfl_sync with mask 0xffff; the host emulator supports only the full mask 0xffffffff"
        },
    };

    [SkippableTheory]
    [MemberData(nameof(DivergentKernels))]
    public void DivergentSynchronizationFailsTheLaunchWithAMessage(string name, string body, string expected)
    {
        var head = KernelPrelude.Geometry + $$"""
            extern "C" __global__ void {{name}}(const Geometry g, float* __restrict__ out)
            {
                __shared__ float staged[256];
                const int i = blockIdx.x * blockDim.x + threadIdx.x;
                const int lane = threadIdx.x % warpSize;
                float v = (float)i;
            """ + "\n";
        var source = head + body + "\n}\n";
        var bodyLine = head.Count(c => c == '\n') + 1;
        var kernel = _bench.Load(source, "divergent_" + name, name);
        var output = _bench.Backend.Allocate(256 * sizeof(float));

        var error = Assert.Throws<InvalidOperationException>(() => _bench.Backend.Launch(kernel, 1, 256, EmulatorBench.Geometry(256), [output]));

        Assert.Equal($"Kernel '{name}' (module 'divergent_{name}'): {string.Format(expected, bodyLine, bodyLine + 1)}.", error.Message);
    }
}
