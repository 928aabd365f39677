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
        Builder = Record(name, module, record, inputShapes, extend, prologue);
        Program = Builder.Build();
        Runner = new ProgramRunner(backend, Program);
        foreach (var (key, tensor) in Program.Externals)
        {
            if (bound is not null && bound.TryGetValue(key, out var given))
            {
                Runner.Bind(key, given);
                continue;
            }
            if (shared is not null && !key.StartsWith("input:") && !key.StartsWith("labels:"))
            {
                Runner.Bind(key, shared.AddressOf(key));
                continue;
            }
            var address = backend.Allocate(tensor.Buffer.Bytes);
            backend.Fill(address, tensor.Buffer.Bytes, 0);   // momentum and accumulators start at zero
            _owned[key] = address;
            Runner.Bind(key, address);
        }
        if (shared is null) UploadParameters();
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

    public DeviceProgram Program { get; }
    public ProgramRunner Runner { get; }

    /// <summary>The builder after the program was recorded, for the steps a caller appended (optimizer state keys).</summary>
    public ProgramBuilder Builder { get; }

    /// <summary>The device address of an external buffer (<c>parameter:W1</c>, <c>input:x</c>).</summary>
    public ulong AddressOf(string key) => _owned.TryGetValue(key, out var a) ? a : throw new ArgumentException($"{Program.Name} has no external buffer '{key}'.");

    /// <summary>Copies the model's current parameter values to the device.</summary>
    public void UploadParameters()
    {
        foreach (var parameter in _module.Parameters())
            if (_owned.TryGetValue("parameter:" + parameter.Name, out var address))
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
