using Differentiable.Data;

namespace Differentiable.Scheduling;

/// <summary>
/// A training set held in device memory, so that an epoch costs the host one small upload instead of one per batch:
/// the images (float32, count × values per sample) and labels (int32) are uploaded once, and each epoch only the
/// sample order (<see cref="BeginEpoch"/>). Programs that start with <see cref="BatchKernels.AppendNextBatch"/> read
/// their batch from here at the position of a device-side cursor and advance it; every program fed from one data set
/// (the full batches and the last, partial one) binds the same <see cref="Buffers"/>, so they share the cursor.
/// </summary>
public sealed class DeviceDataset : IDisposable
{
    public const string ImagesKey = "dataset:images";
    public const string LabelsKey = "dataset:labels";
    public const string OrderKey = "dataset:order";
    public const string CursorKey = "dataset:cursor";

    private readonly IDeviceBackend _backend;
    private readonly Dictionary<string, ulong> _buffers = new();

    /// <summary>Allocates the buffers and uploads <paramref name="data"/>'s images and labels.</summary>
    public DeviceDataset(IDeviceBackend backend, MnistDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException("A device data set needs at least one sample.", nameof(data));
        // The gather kernels index the images with 32-bit ints.
        if ((long)data.Count * data.PixelsPerImage > int.MaxValue)
            throw new ArgumentException($"{data} has more than {int.MaxValue} values; device data sets index them with 32-bit integers.", nameof(data));
        _backend = backend;
        Count = data.Count;
        ValuesPerSample = data.PixelsPerImage;
        try
        {
            _buffers[ImagesKey] = backend.Allocate((long)Count * ValuesPerSample * sizeof(float));
            _buffers[LabelsKey] = backend.Allocate((long)Count * sizeof(int));
            _buffers[OrderKey] = backend.Allocate((long)Count * sizeof(int));
            _buffers[CursorKey] = backend.Allocate(sizeof(int));
            backend.Upload(_buffers[ImagesKey], data.Images.ReadOnlySpan<float>());
            backend.Upload(_buffers[LabelsKey], data.LabelSpan);
            // Never uninitialized: a replay before the first BeginEpoch reads the samples in their own order.
            BeginEpoch(Batching.EpochOrder(Count, shuffle: null));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Samples in the data set.</summary>
    public int Count { get; }

    /// <summary>Values of one sample (pixels of an image): the width of a gathered batch.</summary>
    public int ValuesPerSample { get; }

    /// <summary>The device address of each buffer by its external key, to bind in every program fed from this data set.</summary>
    public IReadOnlyDictionary<string, ulong> Buffers => _buffers;

    /// <summary>
    /// Uploads the order in which the coming epoch visits the samples (<see cref="Batching.EpochOrder"/>, as the CPU
    /// loop draws it) and sets the cursor to its start. Both are queued in order with the launches, so the host does
    /// not wait for the previous epoch's replays to finish.
    /// </summary>
    public void BeginEpoch(ReadOnlySpan<int> order)
    {
        if (order.Length != Count)
            throw new ArgumentException($"An epoch order must list each of the {Count} samples once; it has {order.Length} entries.", nameof(order));
        // The kernels read images at these indices without a check: an index out of range here would read past them.
        for (var i = 0; i < order.Length; i++)
            if ((uint)order[i] >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(order), order[i], $"Entry {i} of the order is outside the data set of {Count} samples.");
        _backend.Upload(_buffers[OrderKey], order);
        _backend.Fill(_buffers[CursorKey], sizeof(int), 0);
    }

    public void Dispose()
    {
        foreach (var address in _buffers.Values) _backend.Free(address);
        _buffers.Clear();
    }
}
