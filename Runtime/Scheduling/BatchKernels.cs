using System.Runtime.InteropServices;

namespace Differentiable.Scheduling;

/// <summary>What the batch kernels read.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct BatchArguments
{
    /// <summary>Samples in the data set.</summary>
    public int Samples;
    public int ValuesPerSample;
    /// <summary>Rows per batch: how far the cursor advances.</summary>
    public int BatchSize;
}

/// <summary>
/// The kernels a device training step starts with: the next batch gathered from a <see cref="DeviceDataset"/> into
/// the program's input and labels buffers, then the dataset's cursor advanced past it. A captured step therefore
/// trains on a new batch at every replay without the host copying anything.
/// </summary>
public static class BatchKernels
{
    public const string ModuleName = "Differentiable.Batches";

    public const string ArgumentsCuda = @"struct BatchArguments
{
    int samples;
    int values_per_sample;
    int batch_size;
};
";

    public const string Source = KernelPrelude.Geometry + ArgumentsCuda + @"
// The sample at batch row r is order[(cursor + r) mod n]. The modulo keeps every read inside the data set when the
// cursor was not reset after an epoch (a misuse): the batch then continues at the start of the order, real samples
// with valid labels, rather than memory past the end.
__device__ __forceinline__ int sample_at(const Geometry& g, const int* cursor, const int* order, int r)
{
    return order[((unsigned)cursor[0] + (unsigned)r) % (unsigned)arguments_of<BatchArguments>(g).samples];
}

// out (batch, width) ← images[sample_at(row), :]: one thread per value of the batch.
extern ""C"" __global__ void gather_rows(const Geometry g, float* __restrict__ out, const float* __restrict__ images, const int* __restrict__ order, const int* __restrict__ cursor)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    const int width = arguments_of<BatchArguments>(g).values_per_sample;
    out[i] = images[sample_at(g, cursor, order, i / width) * width + i % width];
}

// out (batch) ← labels[sample_at(row)].
extern ""C"" __global__ void gather_labels(const Geometry g, int* __restrict__ out, const int* __restrict__ labels, const int* __restrict__ order, const int* __restrict__ cursor)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    out[i] = labels[sample_at(g, cursor, order, i)];
}

// cursor[0] += the batch size. A launch of its own: the gathers' threads all read the cursor, and launches
// on one stream run in order, so none of them can see it advanced.
extern ""C"" __global__ void advance_cursor(const Geometry g, int* __restrict__ cursor)
{
    if (blockIdx.x * blockDim.x + threadIdx.x != 0) return;
    cursor[0] += arguments_of<BatchArguments>(g).batch_size;
}
";

    /// <summary>
    /// Records the gather of the next batch of <paramref name="dataset"/> into the argument buffers
    /// <c>input:{input}</c> and <c>labels:{labels}</c> (their shapes set the batch size), then the cursor's advance.
    /// Call it before the generated program records its kernels, so that they read the gathered batch; bind the
    /// dataset's buffers (<see cref="DeviceDataset.Buffers"/>) when the program runs. The cursor advances right after
    /// the gathers rather than at the end of the step: nothing else reads it, so all of the batch feeding is one call.
    /// </summary>
    public static void AppendNextBatch(ProgramBuilder p, DeviceDataset dataset, string input, string labels)
    {
        var x = p.Input(input);
        var y = p.Labels(labels);
        var batch = y.Rank == 1 ? y.Shape[0] : 0;
        if (batch < 1 || x.Rank < 1 || x.Shape[0] != batch || x.Count != (long)batch * dataset.ValuesPerSample)
            throw new ShapeMismatchException($"{p.Name}: {input} {x.ShapeText} and {labels} {y.ShapeText} are not a batch of rows of {dataset.ValuesPerSample} values with one label each, as the device data set holds them.");
        p.AddModule(ModuleName, Source);
        var images = p.External(DeviceDataset.ImagesKey, "dataset_images", new[] { dataset.Count, dataset.ValuesPerSample }, ElementKind.Float32);
        var allLabels = p.External(DeviceDataset.LabelsKey, "dataset_labels", new[] { dataset.Count }, ElementKind.Int32);
        var order = p.External(DeviceDataset.OrderKey, "dataset_order", new[] { dataset.Count }, ElementKind.Int32);
        var cursor = p.External(DeviceDataset.CursorKey, "dataset_cursor", new[] { 1 }, ElementKind.Int32);

        var g = new KernelGeometry();
        KernelArguments.Set(ref g, new BatchArguments { Samples = dataset.Count, ValuesPerSample = dataset.ValuesPerSample, BatchSize = batch });
        p.Launch(ModuleName, "gather_rows", x.Count, ref g, x, images, order, cursor);
        p.Launch(ModuleName, "gather_labels", batch, ref g, y, allLabels, order, cursor);
        p.Launch(ModuleName, "advance_cursor", 1, ref g, cursor);
    }
}
