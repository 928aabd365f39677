namespace Differentiable.Scheduling;

/// <summary>
/// A model's generated device program made runnable: built for concrete input shapes, its parameters uploaded once
/// into device buffers this object owns, inputs uploaded per call (<see cref="Upload(string, Tensor)"/>) or gathered on
/// the device by a prologue (<see cref="BatchKernels"/>). Used by the GPU training loop, by <c>gpu-check</c>
/// (each run's buffers are poisoned first, so an element no kernel writes shows up as NaN) and by tests on a host
/// emulation of the kernels.
/// </summary>
public sealed class DeviceModel : IDisposable
{
    private readonly IDeviceBackend _backend;
    private readonly IModule _module;
    private readonly Dictionary<string, ulong> _owned = new();

    // What the program was recorded from: recorded again by RecordAgainIfChanged.
    private readonly string _name;
    private readonly Action<ProgramBuilder> _record;
    private readonly IReadOnlyDictionary<string, int[]> _inputShapes;
    private readonly Action<ProgramBuilder>? _extend, _prologue;
    private readonly DeviceModel? _shared;
    private readonly IReadOnlyDictionary<string, ulong>? _bound;

    /// <param name="backend">Where the program runs: the GPU, or the host emulation in tests.</param>
    /// <param name="name">The program's name in messages and in <c>plan</c> (<c>FlatNet.Loss</c>).</param>
    /// <param name="module">The model whose parameters the program reads and whose gradients it writes.</param>
    /// <param name="record">The generated <c>{Method}DeviceProgram</c> (e.g. <c>model.LossDeviceProgram</c>).</param>
    /// <param name="inputShapes">Shapes of the tensor and labels arguments, by argument name.</param>
    /// <param name="extend">Appends steps after the generated program (the optimizer update).</param>
    /// <param name="shared">External buffers owned by another <see cref="DeviceModel"/> of the same model (its parameters and
    /// optimizer state), bound instead of allocated: a program for the last, smaller batch updates the same parameters.</param>
    /// <param name="prologue">Records steps before the generated program, which then reads what they wrote (the gather of
    /// the next batch into <c>input:x</c> and <c>labels:y</c>).</param>
    /// <param name="bound">External buffers the caller owns, by key (a <see cref="DeviceDataset"/>'s), bound as they are:
    /// neither allocated nor taken from <paramref name="shared"/>.</param>
    public DeviceModel(IDeviceBackend backend, string name, IModule module, Action<ProgramBuilder> record, IReadOnlyDictionary<string, int[]> inputShapes,
        Action<ProgramBuilder>? extend = null, DeviceModel? shared = null, Action<ProgramBuilder>? prologue = null, IReadOnlyDictionary<string, ulong>? bound = null)
    {
        _backend = backend;
        _module = module;
        (_name, _record, _inputShapes, _extend, _prologue, _shared, _bound) = (name, record, inputShapes, extend, prologue, shared, bound);
        Builder = Record(name, module, record, inputShapes, extend, prologue);
        Program = Builder.Build();
        Runner = new ProgramRunner(backend, Program);
        BindExternals();
        if (shared is null) UploadParameters();
    }

    /// <summary>
    /// Binds each external buffer of the program: given by the caller, shared with another model, kept from the program
    /// recorded before (same key and size: parameters and optimizer state survive a new recording), or allocated and
    /// zeroed. Buffers of the program before that this one no longer has are freed.
    /// </summary>
    private HashSet<string> BindExternals()
    {
        var kept = new HashSet<string>();
        var allocated = new HashSet<string>();
        foreach (var (key, tensor) in Program.Externals)
        {
            if (_bound is not null && _bound.TryGetValue(key, out var given))
            {
                Runner.Bind(key, given);
                continue;
            }
            if (_shared is not null && !key.StartsWith("input:") && !key.StartsWith("labels:"))
            {
                Runner.Bind(key, _shared.AddressOf(key));
                continue;
            }
            if (_owned.TryGetValue(key, out var known) && _ownedBytes[key] == tensor.Buffer.Bytes)
            {
                kept.Add(key);
                Runner.Bind(key, known);
                continue;
            }
            if (_owned.Remove(key, out var resized)) _backend.Free(resized);
            var address = _backend.Allocate(tensor.Buffer.Bytes);
            _backend.Fill(address, tensor.Buffer.Bytes, 0);   // momentum and accumulators start at zero
            _owned[key] = address;
            _ownedBytes[key] = tensor.Buffer.Bytes;
            kept.Add(key);
            allocated.Add(key);
            Runner.Bind(key, address);
        }
        foreach (var stale in _owned.Keys.Where(k => !kept.Contains(k)).ToList())
        {
            _backend.Free(_owned[stale]);
            _owned.Remove(stale);
            _ownedBytes.Remove(stale);
        }
        return allocated;
    }

    private readonly Dictionary<string, long> _ownedBytes = new();

    /// <summary>
    /// For a program whose launches depend on values read while recording (a body with control flow on numbers: a loop
    /// over a list of layers, a bound read from a field): records it again for the values now and, when that is another
    /// program, replaces this one (another CUDA graph), keeping the parameters' and optimizer state's device buffers
    /// whose sizes did not change (their device values stay the current ones) and uploading the model's values of
    /// parameters new to the program (another layer). False when nothing changed (or the program does not depend on such
    /// values). Call it between steps, after changing what the control flow reads.
    /// </summary>
    public bool RecordAgainIfChanged()
    {
        if (!Builder.DependsOnRecordedValues) return false;
        var again = Record(_name, _module, _record, _inputShapes, _extend, _prologue);
        if (again.Fingerprint() == Builder.Fingerprint()) return false;
        Runner.Dispose();
        Builder = again;
        Program = again.Build();
        Runner = new ProgramRunner(_backend, Program);
        var allocated = BindExternals();
        if (_shared is null) UploadParameters(allocated);
        return true;
    }

    /// <summary>
    /// Records a model's device program for concrete shapes without a device: what <see cref="DeviceModel"/> runs, and
    /// what the <c>plan</c> command prints (steps, kernels, arena).
    /// </summary>
    public static ProgramBuilder Record(string name, IModule module, Action<ProgramBuilder> record, IReadOnlyDictionary<string, int[]> inputShapes,
        Action<ProgramBuilder>? extend = null, Action<ProgramBuilder>? prologue = null)
    {
        var parameters = module.Parameters().ToDictionary(p => p.Name);
        var builder = new ProgramBuilder(name, inputShapes, path => parameters.TryGetValue(path, out var p)
            ? p.Value.Shape.ToArray()
            : throw new ArgumentException($"{name}: the model has no parameter '{path}'."));
        prologue?.Invoke(builder);
        record(builder);
        extend?.Invoke(builder);
        return builder;
    }

    public DeviceProgram Program { get; private set; }
    public ProgramRunner Runner { get; private set; }

    /// <summary>The builder after the program was recorded, for the steps a caller appended (optimizer state keys).</summary>
    public ProgramBuilder Builder { get; private set; }

    /// <summary>The device address of an external buffer (<c>parameter:W1</c>, <c>input:x</c>).</summary>
    public ulong AddressOf(string key) => _owned.TryGetValue(key, out var a) ? a : throw new ArgumentException($"{Program.Name} has no external buffer '{key}'.");

    /// <summary>Copies the model's current parameter values to the device.</summary>
    public void UploadParameters() => UploadParameters(null);

    private void UploadParameters(HashSet<string>? only)
    {
        foreach (var parameter in _module.Parameters())
            if ((only is null || only.Contains("parameter:" + parameter.Name)) && _owned.TryGetValue("parameter:" + parameter.Name, out var address))
                _backend.Upload<float>(address, Float32(parameter.Value, parameter.Name));
    }

    /// <summary>Copies the device's parameter values back into the model (after training on the device).</summary>
    public void DownloadParameters()
    {
        foreach (var parameter in _module.Parameters())
            if (_owned.TryGetValue("parameter:" + parameter.Name, out var address))
            {
                var values = new float[parameter.Value.Length];
                _backend.Download<float>(address, values);
                parameter.Value = Tensor.FromArray(values, parameter.Value.Shape.ToArray());
            }
    }

    public void Upload(string argument, Tensor value) => _backend.Upload<float>(AddressOf("input:" + argument), Float32(value, argument));

    public void Upload(string argument, Labels labels) => _backend.Upload(AddressOf("labels:" + argument), labels.Values);

    /// <summary>The accumulated loss (<see cref="TrainingKernels"/>), read and reset: one host synchronization.</summary>
    public double TakeLossTotal()
    {
        var total = new float[1];
        _backend.Download<float>(AddressOf("loss:total"), total);
        _backend.Fill(AddressOf("loss:total"), 4, 0);
        return total[0];
    }

    /// <summary>Fills the arena with NaN (every byte 0xFF), so a value no kernel wrote cannot pass for a result.</summary>
    public void Poison()
    {
        if (Program.ArenaBytes > 0) _backend.Fill(Runner.ArenaAddress, Program.ArenaBytes, 0xFF);
    }

    /// <summary>Runs the program once and reads the result and every gradient back.</summary>
    public (Tensor Value, IReadOnlyDictionary<string, Tensor> Gradients) RunAndRead()
    {
        Runner.Run();
        var gradients = Program.Gradients.ToDictionary(g => g.Key, g => Runner.Read(g.Value));
        return (Runner.Read(Program.Result), gradients);
    }

    private static ReadOnlySpan<float> Float32(Tensor value, string name) =>
        value.DType == DType.Float32 ? value.ReadOnlySpan<float>() : throw new ArgumentException($"{name} is {value.DType}; device programs compute in float32.");

    public void Dispose()
    {
        Runner.Dispose();
        foreach (var address in _owned.Values) _backend.Free(address);
    }
}
