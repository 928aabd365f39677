using System.Runtime.InteropServices;
using Differentiable.Cuda;
using Differentiable.Scheduling;

namespace Differentiable.Tests.Cuda;

/// <summary>The GPU path end to end. Every test but the first two skips, with the reason, on a machine without a GPU.</summary>
public class CudaBackendTests
{
    private const int ThreadsPerBlock = 256;

    [Fact]
    public void TryCreate_never_throws_and_says_why_when_it_fails()
    {
        var created = CudaBackend.TryCreate(out var backend, out var reason);

        using (backend)
        {
            if (created) Assert.Matches(@"\(sm_\d+\)$", backend!.Name);
            else Assert.False(string.IsNullOrWhiteSpace(reason));
        }
    }

    [SkippableFact]
    public void Without_a_driver_the_error_says_so_and_points_to_the_cpu()
    {
        Skip.If(NativeLibrary.TryLoad("libcuda.so.1", out _), "this machine has an NVIDIA driver");

        var error = Assert.Throws<CudaException>(() => new CudaBackend());

        Assert.StartsWith("no NVIDIA driver (libcuda.so.1) found; run with --device cpu", error.Message);
        Assert.Null(error.ErrorName);
    }

    [SkippableFact]
    public void Upload_launch_download_round_trip_matches_the_cpu()
    {
        using var gpu = CudaRequirements.OpenGpu();
        const int count = 1000; // not a multiple of the block size: the kernel's bounds check matters
        var input = Enumerable.Range(0, count).Select(i => i * 0.25f - 7f).ToArray();
        var inBuffer = gpu.Allocate(count * sizeof(float));
        var outBuffer = gpu.Allocate(count * sizeof(float));
        using var module = gpu.Load(TestKernels.Affine, "affine_module");

        gpu.Upload<float>(inBuffer, input);
        var geometry = new KernelGeometry { Count = count };
        geometry.Scalars[0] = 1.5f;
        geometry.Scalars[1] = -2f;
        gpu.Launch(module["affine"], Blocks(count), ThreadsPerBlock, geometry, [outBuffer, inBuffer]);
        var output = new float[count];
        gpu.Download<float>(outBuffer, output);

        for (var i = 0; i < count; i++) Assert.Equal(input[i] * 1.5f - 2f, output[i], 1e-5f);
    }

    [SkippableFact]
    public void Every_geometry_field_reaches_the_kernel_where_the_kernel_expects_it()
    {
        using var gpu = CudaRequirements.OpenGpu();
        const int intFields = 1 + KernelGeometry.Rank + KernelGeometry.MaxPointers * KernelGeometry.Rank + KernelGeometry.MaxArguments;
        var geometry = new KernelGeometry { Count = 1 };
        var expected = new List<int> { 1 };
        for (var i = 0; i < KernelGeometry.Rank; i++) expected.Add(geometry.Dims[i] = 10 + i);
        for (var i = 0; i < KernelGeometry.MaxPointers * KernelGeometry.Rank; i++) expected.Add(geometry.Strides[i] = 100 + i);
        for (var i = 0; i < KernelGeometry.MaxArguments; i++) expected.Add(geometry.Arguments[i] = -1000 - i);
        for (var i = 0; i < KernelGeometry.MaxScalars; i++) geometry.Scalars[i] = 0.5f + i;
        var ints = gpu.Allocate(intFields * sizeof(int));
        var scalars = gpu.Allocate(KernelGeometry.MaxScalars * sizeof(float));
        using var module = gpu.Load(TestKernels.EchoGeometry, "echo_module");

        gpu.Launch(module["echo_geometry"], 1, 32, geometry, [ints, scalars]);
        var intsBack = new int[intFields];
        var scalarsBack = new float[KernelGeometry.MaxScalars];
        gpu.Download<int>(ints, intsBack);
        gpu.Download<float>(scalars, scalarsBack);

        Assert.Equal(expected, intsBack);
        Assert.Equal(Enumerable.Range(0, KernelGeometry.MaxScalars).Select(i => 0.5f + i), scalarsBack);
    }

    [SkippableFact]
    public void A_captured_graph_replays_its_fill_and_launches_each_time()
    {
        using var gpu = CudaRequirements.OpenGpu();
        const int count = 300;
        var x = gpu.Allocate(count * sizeof(float));
        using var module = gpu.Load(TestKernels.AddScalar, "add_module");
        var add = module["add_scalar"];
        var geometry = new KernelGeometry { Count = count };
        geometry.Scalars[0] = 0.5f;

        // Captured, not run: zero, then add 0.5 twice.
        using var step = gpu.Capture(() =>
        {
            gpu.Fill(x, count * sizeof(float), 0);
            gpu.Launch(add, Blocks(count), ThreadsPerBlock, geometry, [x]);
            gpu.Launch(add, Blocks(count), ThreadsPerBlock, geometry, [x]);
        });
        step.Replay();
        step.Replay();
        var afterReplays = new float[count];
        gpu.Download<float>(x, afterReplays);
        // Without the fill, the graph accumulates: two more launches outside it add 1 more.
        gpu.Launch(add, Blocks(count), ThreadsPerBlock, geometry, [x]);
        gpu.Launch(add, Blocks(count), ThreadsPerBlock, geometry, [x]);
        var afterLaunches = new float[count];
        gpu.Download<float>(x, afterLaunches);

        Assert.All(afterReplays, v => Assert.Equal(1f, v));
        Assert.All(afterLaunches, v => Assert.Equal(2f, v));
    }

    [SkippableFact]
    public void Uploads_inside_a_capture_are_refused_and_the_stream_stays_usable()
    {
        using var gpu = CudaRequirements.OpenGpu();
        var x = gpu.Allocate(16);

        var error = Assert.Throws<InvalidOperationException>(() => gpu.Capture(() => gpu.Upload<float>(x, [1f, 2f, 3f, 4f])));
        gpu.Upload<float>(x, [1f, 2f, 3f, 4f]);
        var back = new float[4];
        gpu.Download<float>(x, back);

        Assert.Contains("capturing a CUDA graph", error.Message);
        Assert.Equal([1f, 2f, 3f, 4f], back);
    }

    [SkippableFact]
    public void A_missing_kernel_is_named_with_its_module_and_the_kernels_it_has()
    {
        using var gpu = CudaRequirements.OpenGpu();
        using var module = gpu.Load(TestKernels.Affine, "affine_module");

        var error = Assert.Throws<KeyNotFoundException>(() => module["afine"]);

        Assert.Contains("'affine_module'", error.Message);
        Assert.Contains("'afine'", error.Message);
        Assert.Contains("Its kernels: affine.", error.Message);
    }

    [SkippableFact]
    public void An_impossible_allocation_names_the_error_and_the_size()
    {
        using var gpu = CudaRequirements.OpenGpu();

        var error = Assert.Throws<CudaException>(() => gpu.Allocate(1L << 50));

        Assert.Equal("CUDA_ERROR_OUT_OF_MEMORY", error.ErrorName);
        Assert.StartsWith("allocating 1024.0 TB", error.Message);
    }

    [SkippableFact]
    public void The_device_timer_measures_a_positive_median()
    {
        using var gpu = CudaRequirements.OpenGpu();
        const int count = 1 << 16;
        var x = gpu.Allocate(count * sizeof(float));
        using var module = gpu.Load(TestKernels.AddScalar, "add_module");
        var add = module["add_scalar"];
        var geometry = new KernelGeometry { Count = count };

        var microseconds = DeviceTimer.MedianMicroseconds(gpu, () => gpu.Launch(add, Blocks(count), ThreadsPerBlock, geometry, [x]), iterations: 20, warmupIterations: 3);

        Assert.InRange(microseconds, 0.1, 100_000);
    }

    private static int Blocks(int count) => (count + ThreadsPerBlock - 1) / ThreadsPerBlock;
}
