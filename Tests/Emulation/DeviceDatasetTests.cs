using Differentiable.Data;
using Differentiable.DeviceChecks;
using Differentiable.Scheduling;
using Differentiable.Tests.Support.Emulation;

namespace Differentiable.Tests.Emulation;

/// <summary>
/// The device data set and its gather: each replay of a program that starts with <see cref="BatchKernels.AppendNextBatch"/>
/// holds the next rows of the epoch's order in <c>x</c> and their labels in <c>y</c>, a second program for the last,
/// partial batch continues on the same cursor, and a new epoch starts again at the first entry of its order.
/// </summary>
public sealed class DeviceDatasetTests : IDisposable
{
    private const int Samples = 10, Width = 3;

    // Row i holds 10·i, 10·i + 1, 10·i + 2 and the label 100 + i: every gathered value names its row and column.
    private static readonly MnistDataset Data = new(
        Tensor.FromArray(Enumerable.Range(0, Samples * Width).Select(v => (float)(v / Width * 10 + v % Width)).ToArray(), Samples, Width),
        Enumerable.Range(0, Samples).Select(i => 100 + i).ToArray());

    private readonly HostEmulatorBackend _backend;
    private readonly DeviceDataset _dataset;

    public DeviceDatasetTests()
    {
        EmulatorRequirement.SkipUnlessAvailable();
        _backend = new HostEmulatorBackend();
        _dataset = new DeviceDataset(_backend, Data);
    }

    public void Dispose()
    {
        _dataset.Dispose();
        _backend.Dispose();
    }

    [SkippableFact]
    public void EachReplayGathersTheNextBatchOfTheOrderAndANewEpochStartsAtItsBeginning()
    {
        using var full = Program(4, shared: null);
        using var last = Program(2, shared: full);
        using var fullStep = full.Runner.Capture();
        using var lastStep = last.Runner.Capture();
        Assert.Equal(["gather_rows", "gather_labels", "advance_cursor"], full.Program.Steps.OfType<LaunchStep>().Select(s => s.Kernel));
        var shuffle = new Rng(7);

        for (var epoch = 0; epoch < 2; epoch++)
        {
            var order = Batching.EpochOrder(Samples, shuffle);
            _dataset.BeginEpoch(order);
            Assert.Equal(0, Cursor());
            fullStep.Replay();
            AssertGathered(full, order[0..4]);
            fullStep.Replay();
            AssertGathered(full, order[4..8]);
            lastStep.Replay();
            AssertGathered(last, order[8..10]);
            Assert.Equal(Samples, Cursor());
        }
    }

    [SkippableFact]
    public void ABatchPastTheEndOfTheOrderWrapsToItsStartInsteadOfReadingPastTheData()
    {
        using var full = Program(4, shared: null);
        using var step = full.Runner.Capture();
        var order = Batching.EpochOrder(Samples, new Rng(3));
        _dataset.BeginEpoch(order);

        // Three full batches of 4 from 10 samples, without a new epoch: the third reads positions 8, 9, 10, 11.
        for (var replay = 0; replay < 3; replay++) step.Replay();

        AssertGathered(full, [order[8], order[9], order[0], order[1]]);
        Assert.Equal(12, Cursor());
    }

    [SkippableFact]
    public void AnOrderThatIsNotOneEntryPerSampleInRangeIsRefused()
    {
        Assert.Throws<ArgumentException>(() => _dataset.BeginEpoch(new int[Samples - 1]));
        var outside = Batching.EpochOrder(Samples, shuffle: null);
        outside[5] = Samples;
        Assert.Throws<ArgumentOutOfRangeException>(() => _dataset.BeginEpoch(outside));
    }

    [SkippableFact]
    public void ABatchWhoseRowsAreNotSamplesOfTheDataSetIsAShapeError()
    {
        var shapes = new Dictionary<string, int[]> { ["x"] = new[] { 4, Width + 1 }, ["y"] = new[] { 4 } };
        var builder = new ProgramBuilder("gather", shapes, path => throw new ArgumentException(path));

        var error = Assert.Throws<ShapeMismatchException>(() => BatchKernels.AppendNextBatch(builder, _dataset, "x", "y"));
        Assert.Contains("(4, 4)", error.Message);
    }

    /// <summary>A program that is only the gather: its result is the gathered x.</summary>
    private DeviceModel Program(int batch, DeviceModel? shared) =>
        new(_backend, $"gather b{batch}", NoParameters.Instance, p => p.Result(p.Input("x")),
            new Dictionary<string, int[]> { ["x"] = new[] { batch, Width }, ["y"] = new[] { batch } },
            shared: shared,
            prologue: p => BatchKernels.AppendNextBatch(p, _dataset, "x", "y"),
            bound: _dataset.Buffers);

    private void AssertGathered(DeviceModel program, int[] rows)
    {
        var x = new float[rows.Length * Width];
        _backend.Download<float>(program.AddressOf("input:x"), x);
        var y = new int[rows.Length];
        _backend.Download<int>(program.AddressOf("labels:y"), y);
        Assert.Equal(rows.SelectMany(r => Enumerable.Range(0, Width).Select(c => (float)(10 * r + c))), x);
        Assert.Equal(rows.Select(r => 100 + r), y);
    }

    private int Cursor()
    {
        var cursor = new int[1];
        _backend.Download<int>(_dataset.Buffers[DeviceDataset.CursorKey], cursor);
        return cursor[0];
    }
}
