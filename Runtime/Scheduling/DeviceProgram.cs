namespace Differentiable.Scheduling;

/// <summary>
/// A device program for concrete shapes: CUDA modules, the steps in order, the buffers with their planned arena
/// offsets, the external buffers to bind by name, the result and the gradients by parameter path.
/// </summary>
public sealed class DeviceProgram
{
    internal DeviceProgram(string name, IReadOnlyDictionary<string, string> modules, ProgramStep[] steps, LogicalBuffer[] buffers, long arenaBytes,
        IReadOnlyDictionary<string, DeviceTensor> externals, DeviceTensor result, IReadOnlyDictionary<string, DeviceTensor> gradients,
        IReadOnlyDictionary<LogicalBuffer, DeviceTensor[]> tables)
    {
        Name = name;
        Modules = modules;
        Steps = steps;
        Buffers = buffers;
        ArenaBytes = arenaBytes;
        Externals = externals;
        Result = result;
        Gradients = gradients;
        Tables = tables;
    }

    public string Name { get; }

    /// <summary>CUDA C sources by module name.</summary>
    public IReadOnlyDictionary<string, string> Modules { get; }

    public IReadOnlyList<ProgramStep> Steps { get; }
    public IReadOnlyList<LogicalBuffer> Buffers { get; }

    /// <summary>Bytes of the one allocation that holds every intermediate buffer.</summary>
    public long ArenaBytes { get; }

    /// <summary>What the arena would take without reuse, for reports.</summary>
    public long UnplannedBytes => Buffers.Where(b => b.Kind == BufferKind.Arena && b.LastUse >= 0).Sum(b => b.Bytes);

    /// <summary>Buffers bound from outside, by key: <c>input:x</c>, <c>labels:y</c>, <c>parameter:W1</c>, ...</summary>
    public IReadOnlyDictionary<string, DeviceTensor> Externals { get; }

    public DeviceTensor Result { get; }
    public IReadOnlyDictionary<string, DeviceTensor> Gradients { get; }

    /// <summary>Address tables (<see cref="ProgramBuilder.AddressTable"/>): each buffer and the tensors whose addresses it holds.</summary>
    public IReadOnlyDictionary<LogicalBuffer, DeviceTensor[]> Tables { get; }

    public int LaunchCount => Steps.Count(s => s is LaunchStep);

    /// <summary>The steps, one per line: what a reader checks against the generated C#.</summary>
    public override string ToString() =>
        $"{Name}: {Steps.Count} steps, arena {ArenaBytes / 1024.0:0.#} KiB (without reuse {UnplannedBytes / 1024.0:0.#} KiB)"
        + Environment.NewLine + string.Join(Environment.NewLine, Steps.Select((s, i) => $"  {i,3}  {s.Description}"));
}
