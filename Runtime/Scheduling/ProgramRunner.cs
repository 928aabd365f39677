namespace Differentiable.Scheduling;

/// <summary>
/// Runs a <see cref="DeviceProgram"/> on a backend: loads its modules, allocates its arena once, resolves every
/// operand to an address when external buffers are bound, then queues the steps (or captures them into a graph
/// replayed with one call).
/// </summary>
public sealed class ProgramRunner : IDisposable
{
    private readonly IDeviceBackend _backend;
    private readonly Dictionary<string, IKernelModule> _modules = new();
    private readonly Dictionary<LogicalBuffer, ulong> _addresses = new();
    private readonly ulong _arena;
    private (IKernel Kernel, LaunchStep Step)[]? _launches;
    private bool _tablesWritten;

    public ProgramRunner(IDeviceBackend backend, DeviceProgram program)
    {
        _backend = backend;
        Program = program;
        foreach (var (name, source) in program.Modules) _modules[name] = backend.Load(source, name);
        _arena = program.ArenaBytes > 0 ? backend.Allocate(program.ArenaBytes) : 0;
        foreach (var buffer in program.Buffers.Where(b => b.Kind == BufferKind.Arena && b.ArenaOffset >= 0))
            _addresses[buffer] = _arena + (ulong)buffer.ArenaOffset;
        foreach (var table in program.Tables.Keys) _addresses[table] = backend.Allocate(table.Bytes);
    }

    public DeviceProgram Program { get; }

    /// <summary>The device address of the arena that holds every intermediate buffer.</summary>
    public ulong ArenaAddress => _arena;

    /// <summary>Binds an external buffer (<c>input:x</c>, <c>parameter:W1</c>) to device memory the caller owns.</summary>
    public void Bind(string key, ulong address)
    {
        if (!Program.Externals.TryGetValue(key, out var tensor))
            throw new ArgumentException($"{Program.Name} has no external buffer '{key}'; it has {string.Join(", ", Program.Externals.Keys)}.");
        _addresses[tensor.Buffer] = address;
        _launches = null;
        _tablesWritten = false;
    }

    /// <summary>Whether the program reads this external buffer (a parameter unused by the loss is not bound).</summary>
    public bool Needs(string key) => Program.Externals.ContainsKey(key);

    /// <summary>The device address of a tensor's first element.</summary>
    public ulong AddressOf(DeviceTensor tensor) => Address(new BufferOperand(tensor.Buffer, tensor.Offset * 4));

    /// <summary>Queues every step once.</summary>
    public void Run()
    {
        WriteTables();
        _launches ??= Program.Steps.OfType<LaunchStep>().Select(s => (_modules[s.Module][s.Kernel], s)).ToArray();
        Span<ulong> pointers = stackalloc ulong[KernelGeometry.MaxPointers];
        var next = 0;
        foreach (var step in Program.Steps)
        {
            switch (step)
            {
                case LaunchStep launch:
                    var (kernel, _) = _launches[next++];
                    for (var k = 0; k < launch.Operands.Length; k++) pointers[k] = Address(launch.Operands[k]);
                    _backend.Launch(kernel, launch.Blocks, launch.ThreadsPerBlock, launch.Geometry, pointers[..launch.Operands.Length]);
                    break;
                case ZeroStep zero:
                    _backend.Fill(Address(zero.Target), zero.Bytes, 0);
                    break;
            }
        }
    }

    /// <summary>Captures <see cref="Run"/> (and whatever <paramref name="after"/> queues) into a graph replayed with one call.</summary>
    public IReplayable Capture(Action? after = null)
    {
        // Written before, not during, the capture: a graph would otherwise copy the tables again on every replay.
        WriteTables();
        return _backend.Capture(() =>
        {
            Run();
            after?.Invoke();
        });
    }

    /// <summary>Fills each address table with the addresses of its tensors, once every buffer is bound.</summary>
    private void WriteTables()
    {
        if (_tablesWritten) return;
        foreach (var (table, entries) in Program.Tables)
            _backend.Upload<ulong>(_addresses[table], entries.Select(AddressOf).ToArray());
        _tablesWritten = true;
    }

    /// <summary>Copies a tensor of the program (the result, a gradient) to a CPU tensor, after queued work finishes.</summary>
    public Tensor Read(DeviceTensor tensor)
    {
        if (!tensor.IsContiguous) throw new InvalidOperationException($"{tensor.Name} is a strided view; read a contiguous tensor.");
        var values = new float[tensor.Count];
        _backend.Download<float>(AddressOf(tensor), values);
        // FromArray reads an empty shape as 1-D; a rank-0 result (a loss) stays rank 0.
        return tensor.Rank == 0 ? Tensor.Scalar(values[0]) : Tensor.FromArray(values, tensor.Shape);
    }

    private ulong Address(BufferOperand operand)
    {
        if (!_addresses.TryGetValue(operand.Buffer, out var baseAddress))
            throw new InvalidOperationException($"{Program.Name}: the external buffer '{operand.Buffer.Name}' was not bound before running.");
        return baseAddress + (ulong)operand.ByteOffset;
    }

    public void Dispose()
    {
        foreach (var module in _modules.Values) module.Dispose();
        foreach (var table in Program.Tables.Keys) _backend.Free(_addresses[table]);
        if (_arena != 0) _backend.Free(_arena);
    }
}
