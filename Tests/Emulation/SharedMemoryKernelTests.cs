using System.Diagnostics;
using Differentiable.Scheduling;
using Differentiable.Tests.Support.Emulation;

namespace Differentiable.Tests.Emulation;

/// <summary>
/// Kernels whose threads cooperate through <c>__shared__</c> memory and <c>__syncthreads</c>, the way tiled and
/// block-parallel GPU kernels do, give the host's results in the emulator.
/// </summary>
public sealed class SharedMemoryKernelTests : IDisposable
{
    private const string BlockSumsSource = KernelPrelude.Geometry + """
        // Each block sums its blockDim.x (at most 256) elements in shared memory, halving the active threads each step.
        // Threads past the end add 0 rather than return: every thread of the block must reach every barrier.
        extern "C" __global__ void block_sums(const Geometry g, float* __restrict__ sums, const float* __restrict__ x)
        {
            __shared__ float partial[256];
            const int t = threadIdx.x;
            const int i = blockIdx.x * blockDim.x + t;
            partial[t] = i < g.count ? x[i] : 0.0f;
            __syncthreads();
            for (int stride = blockDim.x / 2; stride > 0; stride /= 2)
            {
                if (t < stride) partial[t] += partial[t + stride];
                __syncthreads();
            }
            if (t == 0) sums[blockIdx.x] = partial[0];
        }
        """;

    private const string TiledMatmulSource = KernelPrelude.Geometry + """
        #define TILE 16

        // c (m×n) = a (m×k) · b (k×n), row-major, g.arguments = {m, k, n}. One block of TILE×TILE threads per output tile
        // (the grid is 1-D: blockIdx.x walks the tiles row by row); the block stages a tile of a and one of b in shared
        // memory (padded against bank conflicts), and zero-fills what lies past the edges.
        extern "C" __global__ void tiled_matmul(const Geometry g, float* __restrict__ c, const float* __restrict__ a, const float* __restrict__ b)
        {
            __shared__ float as[TILE][TILE + 1];
            __shared__ float bs[TILE][TILE + 1];
            const int m = g.arguments[0], k = g.arguments[1], n = g.arguments[2];
            const int tilesAcross = (n + TILE - 1) / TILE;
            const int ty = threadIdx.x / TILE, tx = threadIdx.x % TILE;
            const int row = (blockIdx.x / tilesAcross) * TILE + ty;
            const int col = (blockIdx.x % tilesAcross) * TILE + tx;
            float sum = 0.0f;
            for (int start = 0; start < k; start += TILE)
            {
                as[ty][tx] = row < m && start + tx < k ? a[row * k + start + tx] : 0.0f;
                bs[ty][tx] = start + ty < k && col < n ? b[(start + ty) * n + col] : 0.0f;
                __syncthreads();
                for (int e = 0; e < TILE; ++e) sum += as[ty][e] * bs[e][tx];
                __syncthreads();
            }
            if (row < m && col < n) c[row * n + col] = sum;
        }
        """;

    private readonly EmulatorBench _bench;

    public SharedMemoryKernelTests()
    {
        EmulatorRequirement.SkipUnlessAvailable();
        _bench = new EmulatorBench();
    }

    public void Dispose() => _bench.Dispose();

    [SkippableFact]
    public void BlockTreeReductionGivesEachBlocksSum()
    {
        var kernel = _bench.Load(BlockSumsSource, "block_sums", "block_sums");
        var values = EmulatorBench.RandomValues(1000, seed: 1);
        var sums = _bench.Backend.Allocate(4 * sizeof(float));

        _bench.Backend.Launch(kernel, blocks: 4, threadsPerBlock: 256, EmulatorBench.Geometry(values.Length), [sums, _bench.Upload(values)]);

        var actual = _bench.Download<float>(sums, 4);
        for (var block = 0; block < 4; block++)
            Assert.Equal(values.Skip(block * 256).Take(256).Sum(v => (double)v), actual[block], 1e-4);
    }

    [SkippableFact]
    public void TiledMatmulMatchesTheHostProductForSizesThatAreNotMultiplesOfTheTile()
    {
        const int m = 37, k = 53, n = 29, tile = 16;
        var kernel = _bench.Load(TiledMatmulSource, "tiled_matmul", "tiled_matmul");
        var a = EmulatorBench.RandomValues(m * k, seed: 2);
        var b = EmulatorBench.RandomValues(k * n, seed: 3);
        var c = _bench.Backend.Allocate(m * n * sizeof(float));
        var tiles = (m + tile - 1) / tile * ((n + tile - 1) / tile);

        _bench.Backend.Launch(kernel, tiles, tile * tile, EmulatorBench.Geometry(m * n, m, k, n), [c, _bench.Upload(a), _bench.Upload(b)]);

        var actual = _bench.Download<float>(c, m * n);
        for (var row = 0; row < m; row++)
            for (var col = 0; col < n; col++)
            {
                var expected = Enumerable.Range(0, k).Sum(e => (double)a[row * k + e] * b[e * n + col]);
                Assert.Equal(expected, actual[row * n + col], 1e-4);
            }
    }

    [SkippableFact]
    public void BackendsOnDifferentThreadsEachHaveTheirOwnSharedMemory()
    {
        // Four threads reduce different data with the same module at once; shared memory or fibers leaking between
        // host threads would mix their sums.
        const int threads = 4, launches = 20;
        var failures = new string?[threads];
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(worker => new Thread(() =>
        {
            using var backend = new HostEmulatorBackend();
            var kernel = backend.Load(BlockSumsSource, "block_sums")["block_sums"];
            var values = Enumerable.Repeat((float)(worker + 1), 256 * 8).ToArray();
            var x = backend.Allocate(values.Length * sizeof(float));
            backend.Upload<float>(x, values);
            var sums = backend.Allocate(8 * sizeof(float));
            var actual = new float[8];
            start.SignalAndWait();
            for (var launch = 0; launch < launches && failures[worker] is null; launch++)
            {
                backend.Launch(kernel, 8, 256, EmulatorBench.Geometry(values.Length), [sums, x]);
                backend.Download<float>(sums, actual);
                if (actual.Any(sum => sum != 256 * (worker + 1)))
                    failures[worker] = $"thread {worker}, launch {launch}: {string.Join(", ", actual)}";
            }
        })).ToList();
        workers.ForEach(worker => worker.Start());
        workers.ForEach(worker => worker.Join());

        Assert.All(failures, Assert.Null);
    }

    [SkippableFact]
    public void FourHundredBlocksOf256ThreadsWithBarriersRunWellUnderASecond()
    {
        var kernel = _bench.Load(BlockSumsSource, "block_sums", "block_sums");
        var x = _bench.Upload(Enumerable.Repeat(1.0f, 400 * 256).ToArray());
        var sums = _bench.Backend.Allocate(400 * sizeof(float));
        var geometry = EmulatorBench.Geometry(400 * 256);
        // The first launch on a thread makes its fibers; that is not what this measures.
        _bench.Backend.Launch(kernel, 1, 256, geometry, [sums, x]);

        var watch = Stopwatch.StartNew();
        _bench.Backend.Launch(kernel, 400, 256, geometry, [sums, x]);
        watch.Stop();

        Assert.All(_bench.Download<float>(sums, 400), sum => Assert.Equal(256, sum));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"400 blocks × 256 threads with 9 barriers each took {watch.Elapsed.TotalMilliseconds:0} ms.");
    }
}
