namespace Differentiable.Scheduling;

/// <summary>
/// Records a device program. Generated code (<c>{Method}DeviceProgram</c>) calls it once per materialized graph node,
/// in execution order: fused elementwise nodes name their kernel in the generated CUDA source, ops with a fixed kernel
/// (products, reductions, convolutions, ...) use the runtime's own (<see cref="RuntimeKernels"/>). The builder works out
/// shapes (errors name the tensors), strides, launch sizes and buffers for the concrete input shapes. Views
/// (transpose, reshape, expand, slice) add no step. <see cref="Build"/> plans memory by liveness.
/// </summary>
public sealed partial class ProgramBuilder
{
    public const int ThreadsPerBlock = 256;

    private readonly IReadOnlyDictionary<string, int[]> _inputShapes;
    private readonly Func<string, int[]> _parameterShape;
    private readonly List<LogicalBuffer> _buffers = new();
    private readonly List<ProgramStep> _steps = new();
    private readonly Dictionary<string, string> _modules = new();
    private readonly Dictionary<string, DeviceTensor> _externals = new();
    private readonly Dictionary<string, DeviceTensor> _gradients = new();
    private readonly Dictionary<LogicalBuffer, DeviceTensor[]> _tables = new();
    private string? _module;
    private DeviceTensor? _result;

    /// <param name="name">The program, for messages (<c>FlatNet.Loss</c>).</param>
    /// <param name="inputShapes">The shape of each tensor or labels argument, by argument name.</param>
    /// <param name="parameterShape">The shape of a [Parameter] (or tensor member) by path.</param>
    public ProgramBuilder(string name, IReadOnlyDictionary<string, int[]> inputShapes, Func<string, int[]> parameterShape)
    {
        Name = name;
        _inputShapes = inputShapes;
        _parameterShape = parameterShape;
    }

    public string Name { get; }

    /// <summary>Makes <paramref name="source"/> the module whose kernels the following calls name.</summary>
    public void UseSource(string moduleName, string source)
    {
        _modules[moduleName] = source;
        _module = moduleName;
    }

    // Leaves: bound by name when the program runs.

    /// <summary>A tensor argument of the method.</summary>
    public DeviceTensor Input(string name) => External("input:" + name, name, InputShape(name), ElementKind.Float32);

    /// <summary>A labels argument: one int32 class index per row.</summary>
    public DeviceTensor Labels(string name) => External("labels:" + name, name, InputShape(name), ElementKind.Int32);

    /// <summary>A [Parameter] (or another tensor member) of the model, by path.</summary>
    public DeviceTensor Parameter(string path) => External("parameter:" + path, path, _parameterShape(path), ElementKind.Float32);

    /// <summary>An extra external buffer the runtime binds (optimizer state, a batch counter).</summary>
    public DeviceTensor External(string key, string name, int[] shape, ElementKind kind)
    {
        if (_externals.TryGetValue(key, out var known)) return known;
        var bytes = Math.Max(4, shape.Aggregate(4L, (a, b) => a * b));
        var buffer = NewBuffer(name, bytes, BufferKind.External);
        return _externals[key] = new DeviceTensor(name, buffer, 0, shape, DeviceTensor.ContiguousStrides(shape), kind);
    }

    /// <summary>
    /// A table of the device addresses of <paramref name="entries"/> (one 64-bit address each, in order), for kernels
    /// that work on many tensors in one launch. The runner writes it once the buffers are bound; a step that reads the
    /// table keeps every entry alive.
    /// </summary>
    public DeviceTensor AddressTable(string name, IReadOnlyList<DeviceTensor> entries)
    {
        var buffer = NewBuffer(name, Math.Max(8, entries.Count * 8L), BufferKind.Table);
        _tables[buffer] = entries.ToArray();
        return new DeviceTensor(name, buffer, 0, new[] { entries.Count * 2 }, new[] { 1 }, ElementKind.Int32);
    }

    /// <summary>The value the program returns (the loss).</summary>
    public void Result(DeviceTensor value) => _result = Contiguous(value);

    /// <summary>∂result/∂parameter, by the parameter's path.</summary>
    public void Gradient(string path, DeviceTensor gradient) => _gradients[path] = Contiguous(gradient);

    /// <summary>A tensor of zeros shaped like <paramref name="like"/> (the gradient of a parameter the result does not use).</summary>
    public DeviceTensor Zeros(string name, DeviceTensor like)
    {
        var result = NewTensor(name, like.Shape, ElementKind.Float32);
        Add(new ZeroStep(new BufferOperand(result.Buffer, 0), result.Count * 4, $"{name} = 0"), result);
        return result;
    }

    /// <summary>The gradients recorded so far, by parameter path (for steps appended after the generated program).</summary>
    public IReadOnlyDictionary<string, DeviceTensor> RecordedGradients => _gradients;

    /// <summary>The recorded result.</summary>
    public DeviceTensor RecordedResult => _result ?? throw new InvalidOperationException($"Device program {Name}: no result was recorded.");

    public DeviceProgram Build()
    {
        if (_result is null) throw new InvalidOperationException($"Device program {Name}: no result was recorded.");
        foreach (var tensor in _gradients.Values.Append(_result)) tensor.Buffer.Touch(_steps.Count);
        var arenaBytes = MemoryPlanner.Plan(_buffers.Where(b => b.Kind == BufferKind.Arena).ToList());
        return new DeviceProgram(Name, _modules, _steps.ToArray(), _buffers.ToArray(), arenaBytes,
            _externals.ToDictionary(e => e.Key, e => e.Value), _result, _gradients, _tables);
    }

    private int[] InputShape(string name) =>
        _inputShapes.TryGetValue(name, out var shape)
            ? shape
            : throw new ArgumentException($"Device program {Name}: no shape was given for the argument '{name}' (known: {string.Join(", ", _inputShapes.Keys)}).");

    private LogicalBuffer NewBuffer(string name, long bytes, BufferKind kind)
    {
        var buffer = new LogicalBuffer(_buffers.Count, name, bytes, kind);
        _buffers.Add(buffer);
        return buffer;
    }

    private DeviceTensor NewTensor(string name, int[] shape, ElementKind kind)
    {
        if (shape.Length > KernelGeometry.Rank)
            throw new ShapeMismatchException($"Device program {Name}: {name} has shape ({string.Join(", ", shape)}); device kernels handle at most {KernelGeometry.Rank} dimensions.");
        var buffer = NewBuffer(name, Math.Max(4, shape.Aggregate(4L, (a, b) => a * b)), BufferKind.Arena);
        return new DeviceTensor(name, buffer, 0, shape, DeviceTensor.ContiguousStrides(shape), kind);
    }

    /// <summary>Appends a step; every buffer it reads or writes is alive at it.</summary>
    private void Add(ProgramStep step, DeviceTensor output, params DeviceTensor[] inputs)
    {
        var index = _steps.Count;
        _steps.Add(step);
        foreach (var tensor in inputs.Prepend(output))
        {
            tensor.Buffer.Touch(index);
            if (_tables.TryGetValue(tensor.Buffer, out var entries))
                foreach (var entry in entries) entry.Buffer.Touch(index);
        }
    }

    private string CurrentModule => _module ?? throw new InvalidOperationException($"Device program {Name}: UseSource must come before the first kernel.");

    /// <summary>Launches <paramref name="kernel"/> of the current (generated) module over <paramref name="count"/> threads.</summary>
    internal void Launch(string kernel, long count, ref KernelGeometry geometry, DeviceTensor output, params DeviceTensor[] inputs) =>
        Launch(CurrentModule, kernel, count, ref geometry, output, inputs);

    /// <summary>Launches a kernel of any registered module (the runtime's optimizer and batching kernels too).</summary>
    public void Launch(string module, string kernel, long count, ref KernelGeometry geometry, DeviceTensor output, params DeviceTensor[] inputs) =>
        LaunchBlocks(module, kernel, count, (count + ThreadsPerBlock - 1) / ThreadsPerBlock, ref geometry, output, inputs);

    /// <summary>Launches <paramref name="kernel"/> of <see cref="RuntimeKernels"/> over <paramref name="count"/> threads.</summary>
    internal void LaunchRuntime(string kernel, long count, ref KernelGeometry geometry, DeviceTensor output, params DeviceTensor[] inputs) =>
        LaunchBlocks(UseRuntimeKernels(), kernel, count, (count + ThreadsPerBlock - 1) / ThreadsPerBlock, ref geometry, output, inputs);

    /// <summary>Launches <paramref name="kernel"/> of <see cref="RuntimeKernels"/> with <paramref name="group"/> threads per output element (group reductions).</summary>
    internal void LaunchRuntimeGroups(string kernel, long count, int group, ref KernelGeometry geometry, DeviceTensor output, params DeviceTensor[] inputs)
    {
        var threads = count * group;
        LaunchBlocks(UseRuntimeKernels(), kernel, count, (threads + ThreadsPerBlock - 1) / ThreadsPerBlock, ref geometry, output, inputs);
    }

    /// <summary>Registers the runtime's kernel module (once) and returns its name.</summary>
    private string UseRuntimeKernels()
    {
        _modules.TryAdd(RuntimeKernels.ModuleName, RuntimeKernels.Source);
        return RuntimeKernels.ModuleName;
    }

    /// <summary>Launches <paramref name="blocks"/> blocks of <see cref="ThreadsPerBlock"/> threads; <paramref name="count"/> goes to the kernel as g.count.</summary>
    internal void LaunchBlocks(string module, string kernel, long count, long blocks, ref KernelGeometry geometry, DeviceTensor output, params DeviceTensor[] inputs)
    {
        if (count > int.MaxValue || blocks * ThreadsPerBlock > int.MaxValue)
            throw new ShapeMismatchException($"Device program {Name}: {output.Name} needs {Math.Max(count, blocks * ThreadsPerBlock)} threads; at most {int.MaxValue} are supported.");
        geometry.Count = (int)count;
        var operands = new[] { output }.Concat(inputs).Select(t => new BufferOperand(t.Buffer, t.Offset * 4)).ToArray();
        if (operands.Length > KernelGeometry.MaxPointers)
            throw new InvalidOperationException($"Device program {Name}: kernel {kernel} takes {operands.Length} buffers; at most {KernelGeometry.MaxPointers} are supported.");
        var description = $"{output.Name} {output.ShapeText} = {kernel}({string.Join(", ", inputs.Select(i => i.Name))})";
        Add(new LaunchStep(module, kernel, (int)Math.Max(1, blocks), ThreadsPerBlock, geometry, operands, description), output, inputs);
    }

    /// <summary>Registers a module without making it current (runtime kernels used by <see cref="Launch(string,string,long,ref KernelGeometry,DeviceTensor,DeviceTensor[])"/>).</summary>
    public void AddModule(string moduleName, string source) => _modules[moduleName] = source;

    /// <summary>A new arena tensor for steps the runtime appends.</summary>
    public DeviceTensor Allocate(string name, int[] shape, ElementKind kind = ElementKind.Float32) => NewTensor(name, shape, kind);
}
