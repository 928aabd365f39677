using System.Runtime.CompilerServices;
using Differentiable.Scheduling;
using Differentiable.Tests.Data;
using Differentiable.Tests.Support.Emulation;

namespace Differentiable.Tests.Emulation;

public sealed class HostEmulatorBackendTests : IDisposable
{
    // The struct every generated source declares; KernelGeometry has the same layout.
    private const string GeometryStruct = "struct Geometry { int count; int dims[4]; int strides[8][4]; int arguments[16]; float scalars[8]; };\n";

    private const string BroadcastAddSource = GeometryStruct + """
        // Unravels the thread's index over the right-aligned dims and walks each pointer by its own strides,
        // the way the generated elementwise kernels do; a stride of 0 broadcasts along that axis.
        extern "C" __global__ void h1_add(const Geometry g, float* __restrict__ out, const float* __restrict__ a, const float* __restrict__ b)
        {
            const int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i >= g.count) return;
            int rest = i, o = 0, ia = 0, ib = 0;
            for (int d = 3; d >= 0; --d)
            {
                const int c = rest % g.dims[d];
                rest /= g.dims[d];
                o += c * g.strides[0][d];
                ia += c * g.strides[1][d];
                ib += c * g.strides[2][d];
            }
            out[o] = a[ia] + b[ib];
        }
        """;

    private const string AccumulateSource = GeometryStruct + """
        extern "C" __global__ void accumulate(const Geometry g, float* __restrict__ out, const float* __restrict__ a)
        {
            const int i = blockIdx.x * blockDim.x + threadIdx.x;
            if (i >= g.count) return;
            out[i] += a[i];
        }
        """;

    private readonly HostEmulatorBackend _backend;

    public HostEmulatorBackendTests()
    {
        EmulatorRequirement.SkipUnlessAvailable();
        _backend = new HostEmulatorBackend();
    }

    public void Dispose() => _backend.Dispose();

    [SkippableFact]
    public void GeometryHasTheLayoutOfTheCudaStruct()
    {
        // The launcher also static_asserts sizeof(Geometry) on the C side; this pins the C# side.
        Assert.Equal(244, KernelGeometry.SizeInBytes);
        Assert.Equal(KernelGeometry.SizeInBytes, Unsafe.SizeOf<KernelGeometry>());
    }

    [SkippableFact]
    public void BroadcastAddComputesEveryElementAndLeavesThreadsBeyondCountIdle()
    {
        var kernel = _backend.Load(BroadcastAddSource, "broadcast")["h1_add"];
        var matrix = Enumerable.Range(0, 12).Select(v => (float)v).ToArray();
        float[] bias = [100, 200, 300, 400];
        var a = UploadNew(matrix);
        var b = UploadNew(bias);
        // Two blocks of 8 threads for 12 elements: the last 4 threads must return at once. Room for 16 values,
        // poisoned, shows that they wrote nothing.
        var output = _backend.Allocate(16 * sizeof(float));
        _backend.Fill(output, 16 * sizeof(float), 0xFF);

        var geometry = Geometry(count: 12, dims: [1, 1, 3, 4], strides: [[0, 0, 4, 1], [0, 0, 4, 1], [0, 0, 0, 1]]);
        _backend.Launch(kernel, blocks: 2, threadsPerBlock: 8, geometry, [output, a, b]);
        _backend.Synchronize();

        var result = Download(output, 16);
        var expected = matrix.Select((value, index) => value + bias[index % 4]).ToArray();
        Assert.Equal(expected, result[..12]);
        Assert.All(result[12..], value => Assert.Equal(-1, BitConverter.SingleToInt32Bits(value)));
    }

    [SkippableFact]
    public void FloatAtomicAddReducesAcrossBlocks()
    {
        const string source = GeometryStruct + """
            extern "C" __global__ void sum_all(const Geometry g, float* out, const float* __restrict__ x)
            {
                const int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i >= g.count) return;
                atomicAdd(out, x[i] * g.scalars[0]);
            }
            """;
        var kernel = _backend.Load(source, "reduction")["sum_all"];
        var values = Enumerable.Range(1, 1000).Select(v => (float)v).ToArray();
        var x = UploadNew(values);
        var sum = _backend.Allocate(sizeof(float));
        _backend.Fill(sum, sizeof(float), 0);

        var geometry = Geometry(count: values.Length, dims: [1, 1, 1, 1000], strides: []);
        geometry.Scalars[0] = 0.5f;
        _backend.Launch(kernel, blocks: 4, threadsPerBlock: 256, geometry, [sum, x]);

        Assert.Equal(0.5f * 1000 * 1001 / 2, Download(sum, 1)[0]);
    }

    [SkippableFact]
    public void IntAtomicAddReturnsTheValueBeforeTheAdd()
    {
        const string source = GeometryStruct + """
            extern "C" __global__ void take_tickets(const Geometry g, int* __restrict__ tickets, int* __restrict__ counter)
            {
                const int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i >= g.count) return;
                tickets[i] = atomicAdd(counter, 1);
            }
            """;
        var kernel = _backend.Load(source, "tickets")["take_tickets"];
        var tickets = _backend.Allocate(50 * sizeof(int));
        var counter = _backend.Allocate(sizeof(int));
        _backend.Fill(counter, sizeof(int), 0);

        _backend.Launch(kernel, blocks: 2, threadsPerBlock: 32, Geometry(count: 50, dims: [1, 1, 1, 50], strides: []), [tickets, counter]);

        var taken = new int[50];
        _backend.Download<int>(tickets, taken);
        var total = new int[1];
        _backend.Download<int>(counter, total);
        Assert.Equal(50, total[0]);
        Assert.Equal(Enumerable.Range(0, 50), taken.Order());
    }

    [SkippableFact]
    public void KernelReadsIntLabelsWithHelpersMacrosAndMath()
    {
        const string source = GeometryStruct + """
            #define CLASSES (g.arguments[0])

            __device__ __forceinline__ float row_max(const float* row, int n)
            {
                float m = -INFINITY;
                for (int c = 0; c < n; ++c) m = fmaxf(m, row[c]);
                return m;
            }

            // Per row: the negative log-softmax at the label, and a count of each label.
            extern "C" __global__ void nll_rows(const Geometry g, float* __restrict__ loss, int* __restrict__ histogram, const float* __restrict__ logits, const int* __restrict__ labels)
            {
                const int row = blockIdx.x * blockDim.x + threadIdx.x;
                if (row >= g.count) return;
                const float* z = logits + row * CLASSES;
                const float m = row_max(z, CLASSES);
                float total = 0.0f;
                for (int c = 0; c < CLASSES; ++c) total += expf(z[c] - m);
                loss[row] = logf(total) - (z[labels[row]] - m);
                atomicAdd(&histogram[labels[row]], 1);
            }
            """;
        var kernel = _backend.Load(source, "labels")["nll_rows"];
        float[] logitValues = [1, 2, 3, 0.5f, -1, 4, 2, 2, 2, 0, 10, -10, 3, 1, -2];
        int[] labelValues = [2, 0, 1, 0, 2];
        const int classes = 3;
        var logits = UploadNew(logitValues);
        var labels = _backend.Allocate(labelValues.Length * sizeof(int));
        _backend.Upload<int>(labels, labelValues);
        var loss = _backend.Allocate(labelValues.Length * sizeof(float));
        var histogram = _backend.Allocate(classes * sizeof(int));
        _backend.Fill(histogram, classes * sizeof(int), 0);

        var geometry = Geometry(count: labelValues.Length, dims: [1, 1, 1, labelValues.Length], strides: []);
        geometry.Arguments[0] = classes;
        _backend.Launch(kernel, blocks: 1, threadsPerBlock: 32, geometry, [loss, histogram, logits, labels]);

        var expected = labelValues.Select((label, row) =>
        {
            var z = logitValues.AsSpan(row * classes, classes).ToArray();
            var max = z.Max();
            return Math.Log(z.Sum(v => Math.Exp(v - max))) - (z[label] - max);
        }).ToArray();
        var actual = Download(loss, labelValues.Length);
        for (var row = 0; row < expected.Length; row++)
            Assert.Equal(expected[row], actual[row], 5);
        var counts = new int[classes];
        _backend.Download<int>(histogram, counts);
        Assert.Equal([2, 1, 2], counts);
    }

    [SkippableFact]
    public void CapturedLaunchesRunOnlyWhenReplayedAndOncePerReplay()
    {
        var kernel = _backend.Load(AccumulateSource, "accumulate")["accumulate"];
        float[] increments = [1, 2, 3, 4, 5];
        var a = UploadNew(increments);
        var output = UploadNew(new float[5]);
        var geometry = Geometry(count: 5, dims: [1, 1, 1, 5], strides: []);

        using var graph = _backend.Capture(() => _backend.Launch(kernel, 1, 32, geometry, [output, a]));
        Assert.Equal(new float[5], Download(output, 5));

        graph.Replay();
        graph.Replay();
        Assert.Equal(increments.Select(v => 2 * v), Download(output, 5));
    }

    [SkippableFact]
    public void CapturedFillsAndUploadsReplayInOrderWithTheirCapturedValues()
    {
        var kernel = _backend.Load(AccumulateSource, "accumulate")["accumulate"];
        var output = _backend.Allocate(5 * sizeof(float));
        var a = _backend.Allocate(5 * sizeof(float));
        var geometry = Geometry(count: 5, dims: [1, 1, 1, 5], strides: []);
        float[] increments = [1, 2, 3, 4, 5];

        using var graph = _backend.Capture(() =>
        {
            _backend.Fill(output, 5 * sizeof(float), 0);
            _backend.Upload<float>(a, increments);
            _backend.Launch(kernel, 1, 32, geometry, [output, a]);
        });
        // The upload replays what the array held at capture time.
        increments[0] = 1000;

        graph.Replay();
        graph.Replay();
        Assert.Equal([1, 2, 3, 4, 5], Download(output, 5));
    }

    [SkippableFact]
    public void DownloadAndSynchronizeDuringCaptureAreRefused()
    {
        var buffer = _backend.Allocate(sizeof(float));
        Assert.Throws<InvalidOperationException>(() => _backend.Capture(() => _backend.Download(buffer, new float[1])));
        Assert.Throws<InvalidOperationException>(() => _backend.Capture(_backend.Synchronize));
    }

    [SkippableFact]
    public void CompileErrorNamesTheModuleAndQuotesTheCompiler()
    {
        const string source = GeometryStruct + """
            extern "C" __global__ void broken(const Geometry g, float* out)
            {
                out[0] = no_such_variable;
            }
            """;
        var error = Assert.Throws<KernelCompilationException>(() => _backend.Load(source, "broken_module"));
        Assert.Equal("broken_module", error.ModuleName);
        Assert.Contains("broken_module", error.Message);
        Assert.Contains("no_such_variable", error.Message);
        Assert.Contains("error", error.CompilerOutput);
        // The #line directives point g++ at the module's own source.
        Assert.Contains("broken_module.cu:4", error.CompilerOutput);
    }

    [SkippableFact]
    public void GlobalFunctionOutsideTheConventionIsRejected()
    {
        const string source = GeometryStruct + """
            __global__ void not_extern_c(const Geometry g, float* out) { }
            """;
        var error = Assert.Throws<FormatException>(() => _backend.Load(source, "unconventional"));
        Assert.Contains("not_extern_c", error.Message);
        Assert.Contains("unconventional", error.Message);
    }

    [SkippableFact]
    public void WrongNumberOfPointersIsRefused()
    {
        var kernel = _backend.Load(BroadcastAddSource, "broadcast")["h1_add"];
        var buffer = _backend.Allocate(16);
        var error = Assert.Throws<ArgumentException>(() =>
            _backend.Launch(kernel, 1, 32, Geometry(count: 1, dims: [1, 1, 1, 1], strides: []), [buffer, buffer]));
        Assert.Contains("h1_add", error.Message);
        Assert.Contains("declares 3", error.Message);
        Assert.Contains("passes 2", error.Message);
    }

    [SkippableFact]
    public void MissingKernelNameIsReportedWithTheModule()
    {
        var module = _backend.Load(BroadcastAddSource, "broadcast");
        var error = Assert.Throws<KeyNotFoundException>(() => module["h2_mul"]);
        Assert.Contains("broadcast", error.Message);
        Assert.Contains("h1_add", error.Message);
    }

    [SkippableFact]
    public void PointerToFreedMemoryIsRefusedBeforeTheKernelRuns()
    {
        var kernel = _backend.Load(AccumulateSource, "accumulate")["accumulate"];
        var output = _backend.Allocate(4 * sizeof(float));
        var freed = _backend.Allocate(4 * sizeof(float));
        _backend.Free(freed);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            _backend.Launch(kernel, 1, 32, Geometry(count: 4, dims: [1, 1, 1, 4], strides: []), [output, freed]));
    }

    [SkippableFact]
    public void SecondBackendLoadsTheCompiledModuleFromDiskWithoutCompiling()
    {
        using var cache = new TempDirectory();
        // A fresh cache folder, so the first backend must compile whatever earlier test runs left behind.
        using (var first = new HostEmulatorBackend(cache.Path))
        {
            first.Load(AccumulateSource, "accumulate");
            first.Load(AccumulateSource, "accumulate");
            Assert.Equal(1, first.CompilerRuns);
        }

        using var second = new HostEmulatorBackend(cache.Path);
        var kernel = second.Load(AccumulateSource, "accumulate")["accumulate"];
        Assert.Equal(0, second.CompilerRuns);

        float[] increments = [1, 2, 3];
        var a = second.Allocate(3 * sizeof(float));
        second.Upload<float>(a, increments);
        var output = second.Allocate(3 * sizeof(float));
        second.Fill(output, 3 * sizeof(float), 0);
        second.Launch(kernel, 1, 32, Geometry(count: 3, dims: [1, 1, 1, 3], strides: []), [output, a]);
        var result = new float[3];
        second.Download<float>(output, result);
        Assert.Equal(increments, result);
    }

    private ulong UploadNew(float[] values)
    {
        var address = _backend.Allocate(values.Length * sizeof(float));
        _backend.Upload<float>(address, values);
        return address;
    }

    private float[] Download(ulong address, int count)
    {
        var values = new float[count];
        _backend.Download<float>(address, values);
        return values;
    }

    private static KernelGeometry Geometry(int count, int[] dims, int[][] strides)
    {
        var geometry = new KernelGeometry { Count = count };
        for (var d = 0; d < KernelGeometry.Rank; d++)
            geometry.Dims[d] = dims[d];
        for (var pointer = 0; pointer < strides.Length; pointer++)
            for (var d = 0; d < KernelGeometry.Rank; d++)
                geometry.Strides[pointer * KernelGeometry.Rank + d] = strides[pointer][d];
        return geometry;
    }
}
