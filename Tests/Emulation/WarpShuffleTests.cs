using Differentiable.Scheduling;
using Differentiable.Tests.Support.Emulation;

namespace Differentiable.Tests.Emulation;

/// <summary>
/// The warp intrinsics in the emulator: <c>__shfl_down_sync</c>, <c>__shfl_xor_sync</c>, <c>__shfl_sync</c> (float
/// and int) and <c>__syncwarp</c>, with CUDA's semantics for lanes whose source lies outside the warp or has returned.
/// </summary>
public sealed class WarpShuffleTests : IDisposable
{
    private const string WarpSumsSource = KernelPrelude.Geometry + """
        // Per warp, __shfl_down_sync sums the values and counts the elements into lane 0, which __shfl_sync broadcasts
        // to every lane. Then the first warp sums the block's warp totals with __shfl_xor_sync, after which every lane
        // holds the block's total. Threads past the end take part with 0 instead of returning, so that every lane of a
        // partly filled warp reaches every shuffle.
        extern "C" __global__ void warp_sums(const Geometry g, float* __restrict__ warpTotals, float* __restrict__ blockTotals, int* __restrict__ blockCounts, const float* __restrict__ x)
        {
            __shared__ float totals[32];
            __shared__ int counts[32];
            const int i = blockIdx.x * blockDim.x + threadIdx.x;
            const int lane = threadIdx.x % warpSize, warp = threadIdx.x / warpSize;
            float sum = i < g.count ? x[i] : 0.0f;
            int count = i < g.count ? 1 : 0;
            for (int delta = warpSize / 2; delta > 0; delta /= 2)
            {
                sum += __shfl_down_sync(0xffffffff, sum, delta);
                count += __shfl_down_sync(0xffffffff, count, delta);
            }
            const float warpTotal = __shfl_sync(0xffffffff, sum, 0);
            if (i < g.count) warpTotals[i] = warpTotal;
            if (lane == 0)
            {
                totals[warp] = sum;
                counts[warp] = count;
            }
            __syncthreads();
            if (warp == 0)
            {
                const int warps = blockDim.x / warpSize;
                sum = lane < warps ? totals[lane] : 0.0f;
                count = lane < warps ? counts[lane] : 0;
                for (int mask = warpSize / 2; mask > 0; mask /= 2)
                {
                    sum += __shfl_xor_sync(0xffffffff, sum, mask);
                    count += __shfl_xor_sync(0xffffffff, count, mask);
                }
                // Any lane has the totals after a butterfly; the last one writes them.
                if (lane == warpSize - 1)
                {
                    blockTotals[blockIdx.x] = sum;
                    blockCounts[blockIdx.x] = count;
                }
            }
        }
        """;

    private const string RotateLanesSource = KernelPrelude.Geometry + """
        // Each lane stages its value in shared memory and, after __syncwarp, reads the next lane's (lane 31 reads lane 0's).
        extern "C" __global__ void rotate_lanes(const Geometry g, float* __restrict__ out, const float* __restrict__ x)
        {
            __shared__ float staged[256];
            const int i = blockIdx.x * blockDim.x + threadIdx.x;
            const int lane = threadIdx.x % warpSize;
            staged[threadIdx.x] = x[i];
            __syncwarp();
            out[i] = staged[threadIdx.x - lane + (lane + 1) % warpSize];
        }
        """;

    private const string ReadReturnedLanesSource = KernelPrelude.Geometry + """
        // Lanes 20 and up return before the shuffle, so lanes 16 to 19 read from lanes that take no part.
        extern "C" __global__ void read_returned_lanes(const Geometry g, float* __restrict__ out)
        {
            if (threadIdx.x >= 20) return;
            out[threadIdx.x] = __shfl_down_sync(0xffffffff, (float)threadIdx.x, 4);
        }
        """;

    private readonly EmulatorBench _bench;

    public WarpShuffleTests()
    {
        EmulatorRequirement.SkipUnlessAvailable();
        _bench = new EmulatorBench();
    }

    public void Dispose() => _bench.Dispose();

    [SkippableFact]
    public void ShufflesSumWarpsAndBlocksIncludingAPartlyFilledLastWarp()
    {
        // 8 blocks of 128 threads for 1000 elements: the last block holds 104, so its fourth warp holds 8.
        const int count = 1000, blocks = 8, threads = 128;
        var kernel = _bench.Load(WarpSumsSource, "warp_sums", "warp_sums");
        var values = EmulatorBench.RandomValues(count, seed: 4);
        var warpTotals = _bench.Backend.Allocate(count * sizeof(float));
        var blockTotals = _bench.Backend.Allocate(blocks * sizeof(float));
        var blockCounts = _bench.Backend.Allocate(blocks * sizeof(int));

        _bench.Backend.Launch(kernel, blocks, threads, EmulatorBench.Geometry(count), [warpTotals, blockTotals, blockCounts, _bench.Upload(values)]);

        var perElement = _bench.Download<float>(warpTotals, count);
        for (var i = 0; i < count; i++)
            Assert.Equal(values.Skip(i / 32 * 32).Take(32).Sum(v => (double)v), perElement[i], 1e-4);
        var totals = _bench.Download<float>(blockTotals, blocks);
        var counts = _bench.Download<int>(blockCounts, blocks);
        for (var block = 0; block < blocks; block++)
        {
            Assert.Equal(values.Skip(block * threads).Take(threads).Sum(v => (double)v), totals[block], 1e-4);
            Assert.Equal(Math.Min(threads, count - block * threads), counts[block]);
        }
    }

    [SkippableFact]
    public void SyncwarpMakesEachLanesSharedWriteVisibleToItsWarp()
    {
        var kernel = _bench.Load(RotateLanesSource, "rotate_lanes", "rotate_lanes");
        var values = Enumerable.Range(0, 128).Select(v => (float)v).ToArray();
        var output = _bench.Backend.Allocate(values.Length * sizeof(float));

        _bench.Backend.Launch(kernel, blocks: 2, threadsPerBlock: 64, EmulatorBench.Geometry(values.Length), [output, _bench.Upload(values)]);

        Assert.Equal(values.Select((_, i) => values[i / 32 * 32 + (i % 32 + 1) % 32]), _bench.Download<float>(output, values.Length));
    }

    [SkippableFact]
    public void LanesThatReturnedDropOutOfShufflesAndReadAsNaN()
    {
        // CUDA's full mask names only the lanes that have not exited, so this is legal; what lanes 16 to 19 read is
        // undefined on a GPU, and NaN here so that a kernel that uses it shows it.
        var kernel = _bench.Load(ReadReturnedLanesSource, "read_returned_lanes", "read_returned_lanes");
        var output = _bench.Backend.Allocate(20 * sizeof(float));

        _bench.Backend.Launch(kernel, blocks: 1, threadsPerBlock: 32, EmulatorBench.Geometry(20), [output]);

        var result = _bench.Download<float>(output, 20);
        Assert.Equal(Enumerable.Range(4, 16).Select(v => (float)v), result[..16]);
        Assert.All(result[16..], value => Assert.True(float.IsNaN(value)));
    }
}
