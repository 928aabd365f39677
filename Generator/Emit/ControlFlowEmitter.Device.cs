using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Autodiff;
using Differentiable.Generator.Calls;
using Differentiable.Generator.Emit.Cuda;
using Differentiable.Generator.IR;
using Differentiable.Generator.Lowering;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Emit;

/// <summary>
/// The device program of a body with control flow that depends only on what is known when the program is recorded
/// (loops over layers, bounds and conditions on numbers): <c>{M}DeviceProgram</c> runs the user's if/while/for/foreach
/// while it records, so every launch the path takes is recorded in order, and a tape of closures records the backward
/// in reverse, as <c>{M}WithGradients</c> computes it. Each statement's forward is its kernels, fused as in any device
/// program; its backward is the kernels of its pullback seeded with the incoming adjoint, which recompute what they
/// read of the statement's forward (a ReLU's mask) rather than keep it. The recorded program is one CUDA graph for those values: record again when
/// they change (another number of layers, another bound).
/// </summary>
internal sealed partial class ControlFlowEmitter
{
    private const string DeviceTensorType = "global::Differentiable.Scheduling.DeviceTensor";

    /// <summary>Whether this emitter writes the device program (DeviceTensor and builder calls) rather than the C# gradient.</summary>
    private bool _device;

    private string TensorType => _device ? DeviceTensorType : "Tensor";

    /// <summary>Each tensor statement's value, source text and free variables, as its C# lowering saw them.</summary>
    private readonly Dictionary<Stmt, (Expr Value, string Text, List<FreeVariable> Free)> _statementSources = new();

    private readonly SourceWriter _deviceCuda = new();
    private readonly Dictionary<Stmt, DeviceStatement> _deviceStatements = new();

    /// <summary>Parameters the program reads by a fixed path (not a list's element), by path: the driver's variable for each.</summary>
    private readonly Dictionary<string, string> _deviceParameters = new();

    private sealed record DeviceStatement(DeviceEmitter.InlineProgram Forward, DeviceEmitter.InlineProgram Pullback, string Incoming,
        List<(string Name, string Saved)> Saved);

    /// <summary>Writes <c>{M}CudaSource</c> and <c>{M}DeviceProgram</c> (true), or a program that fails when built, saying why (false).</summary>
    public static bool WriteDevice(SourceWriter w, MethodWork method, GenerationContext context)
    {
        var spec = method.Spec;
        var reason = spec.ReadsTensorValuesInConditions ? "a condition or loop reads tensor values (.Item()), which a CUDA graph cannot branch on" : null;
        if (reason is null)
        {
            var emitter = new ControlFlowEmitter(method, context, new List<DiagnosticInfo>(), CallMasks.Declared(spec), device: true);
            reason = emitter.PrepareDevice();
            if (reason is null)
            {
                emitter.WriteDeviceMembers(w);
                return true;
            }
        }
        ControlFlowDevice.Write(w, spec, reason);
        return false;
    }

    /// <summary>Lowers every statement for the device; the reason there can be no device program, or null.</summary>
    private string? PrepareDevice()
    {
        if (!Prepare()) return "its gradient could not be generated";
        if (_variables.ContainsKey("p") || _moduleLoopList.Any(l => l.Variable == "p"))
            return "a local or argument is named 'p', the name of the program's builder; rename it";
        foreach (var pair in _statementSources)
        {
            var statement = pair.Key;
            var (value, text, free) = pair.Value;
            var target = Target(statement);
            var request = new LoweringRequest(_spec, _mask, null, true, _context.Bodies, _context.Signatures, _sites);
            var refused = new List<DiagnosticInfo>();
            var forward = Lowerer.LowerStatement(request, value, target + "_new", text, free, refused, StatementForDevice.Forward);
            var incoming = Claim("d_" + target + "_in");
            var pullback = forward is null ? null : Lowerer.LowerStatement(request, value, target + "_new", text, free, refused, StatementForDevice.Pullback, incoming);
            if (forward is null || pullback is null)
                return refused.Count == 0 ? "a statement could not be lowered for the device"
                    : refused[0].ToDiagnostic().GetMessage(System.Globalization.CultureInfo.InvariantCulture);

            var indexes = _statements[statement].Indexes;
            var saved = free.Where(f => f.Kind == ArgumentKind.Tensor && _reassigned.Contains(f.Name)).Select(f => (f.Name, Claim(f.Name.Replace("@", "") + "_saved"))).ToList();
            if (Inline(ReverseMode.Differentiate(forward), leaf => Operand(leaf, null, indexes, null)) is not { } forwardProgram) return _unsupported;
            if (Inline(ReverseMode.Differentiate(pullback), leaf => Operand(leaf, incoming, indexes, saved), pullback.Builder.Leaf(Op.Input, incoming)) is not { } pullbackProgram)
                return _unsupported;
            _deviceStatements[statement] = new DeviceStatement(forwardProgram, pullbackProgram, incoming, saved);
        }
        return null;
    }

    private string? _unsupported;

    private DeviceEmitter.InlineProgram? Inline(Gradient gradient, System.Func<Node, (string, string?)?> operand, Node? seed = null)
    {
        string? missing = null;
        var known = new Dictionary<Node, (string, string?)>();
        (string, string?) Memo(Node leaf)
        {
            if (known.TryGetValue(leaf, out var found)) return found;
            if (operand(leaf) is not { } o)
            {
                missing ??= $"it reads '{leaf.Attributes.Text}', which a device program of a body with control flow cannot bind yet";
                o = ("null!", null);
            }
            return known[leaf] = o;
        }
        var names = new MethodEmitter(gradient, _reserved, new NameTable(Enumerable.Empty<string>(), _reserved));
        var emitter = new DeviceEmitter(gradient, names, _names, _deviceCuda, Memo, seed);
        var program = emitter.WriteInline();
        _unsupported = missing ?? (program is null ? emitter.UnsupportedReason ?? "an op has no device kernel" : null);
        return _unsupported is null ? program : null;
    }

    /// <summary>
    /// The driver's operand for a leaf of a statement's device graph: the user's variable (in the backward, its copy from
    /// when the statement ran), the incoming adjoint, or a parameter: by its fixed path, or the element of a list
    /// (<c>p.Parameter($"Layers.{layer_index}.W")</c>, with the index the statement kept in the backward).
    /// </summary>
    private (string, string?)? Operand(Node leaf, string? incoming, Dictionary<string, string> indexes, List<(string Name, string Saved)>? saved)
    {
        var text = leaf.Attributes.Text!;
        switch (leaf.Op)
        {
            case Op.Input when text == incoming:
                return (text, null);
            case Op.Input:
                var copy = saved?.FirstOrDefault(s => s.Name == text).Saved;
                return (copy ?? text, null);
            case Op.Parameter when ModuleVariable(text) is { } variable:
                ParameterPath.TrySplitList(Canonical(text), out var list, out var inElement);
                var index = saved is null ? _moduleLoops[variable].Index : indexes[variable];
                return (Claim(ParameterPath.PropertyName(Canonical(text))), $"p.Parameter($\"{list}.{{{index}}}.{inElement}\")");
            case Op.Parameter when !ParameterPath.IsList(text):
                if (!_deviceParameters.TryGetValue(text, out var name)) _deviceParameters[text] = name = Claim(ParameterPath.PropertyName(text));
                return (name, null);
        }
        return null;
    }

    /// <summary>The variable a statement assigns (the result, for a return).</summary>
    private string Target(Stmt statement) => statement switch
    {
        LocalDeclaration declaration => declaration.Name.Replace("@", ""),
        LocalAssignment assignment => assignment.Name.Replace("@", ""),
        _ => "result",
    };

    /// <summary>The program's inputs and the parameters it reads by a fixed path, declared before the user's statements.</summary>
    private void WriteDeviceLeaves(SourceWriter w)
    {
        foreach (var argument in _spec.Arguments.Where(a => a.Kind is ArgumentKind.Tensor or ArgumentKind.Labels))
            w.Line($"var {argument.Name} = p.{(argument.Kind == ArgumentKind.Labels ? "Labels" : "Input")}(\"{argument.Name.Replace("@", "")}\");");
        foreach (var path in _parametersReached.Where(p => !ParameterPath.IsList(p) && !_deviceParameters.ContainsKey(p)))
            _deviceParameters[path] = Claim(ParameterPath.PropertyName(path));
        foreach (var pair in _deviceParameters) w.Line($"var {pair.Value} = p.Parameter(\"{pair.Key}\");");
    }

    private void WriteDeviceMembers(SourceWriter w)
    {
        var source = _spec.Name + "CudaSource";
        var program = _spec.Name + "DeviceProgram";
        // The program, then its kernels, as for a body without control flow (DeviceEmitter.Write).
        w.Line("/// <summary>");
        w.Line($"/// Records <see cref=\"{_spec.Name}WithGradients\"/> as a device program for the shapes <paramref name=\"p\"/> was given. The body's control");
        w.Line("/// flow runs now, while recording: the launches of the path it takes for the numbers, fields and lists of layers it");
        w.Line("/// reads now are recorded in order, then the backward's in reverse. Record again when those values change.");
        w.Line("/// </summary>");
        w.Line(GeneratedCode);
        var numbers = _spec.Arguments.Where(a => a.Kind is ArgumentKind.Scalar or ArgumentKind.Int).Select(a => $", {a.TypeName} {a.Name}");
        w.Open($"public {(_spec.IsStatic ? "static " : "")}void {program}(global::Differentiable.Scheduling.ProgramBuilder p{string.Concat(numbers)})");
        w.Line($"p.UseSource(\"{_spec.Class.Name}.{_spec.Name}\", {source});");
        w.Line("p.RecordsValuesReadNow(); // what the control flow reads decides the launches: DeviceModel.RecordAgainIfChanged compares");
        WriteForward(w);
        w.Line($"// Backward: the seed (ones), then the tape in reverse, recording each statement's pullback on the path taken.");
        w.Line($"{_accumulators[_result]} = p.Fill(\"seed\", {_result}, 1.0f);");
        w.Line($"while ({_tape}.Count > 0) {_tape}.Pop()();");
        w.Line($"p.Result({_result});");
        foreach (var path in _parametersReached)
        {
            var accumulator = _parameterAccumulators.TryGetValue(path, out var a) ? a : null;
            if (ParameterPath.TrySplitList(path, out var list, out var inElement))
            {
                var element = $"p.Parameter($\"{list}.{{index}}.{inElement}\")";
                w.Line($"for (var index = 0; index < {list}.{CountOf(list)}; index++)");
                w.Line($"    p.Gradient($\"{list}.{{index}}.{inElement}\", {(accumulator is null ? "" : $"{accumulator}[index] ?? ")}p.Zeros(\"d_{ParameterPath.PropertyName(path)}\", {element}));");
            }
            else
                w.Line($"p.Gradient(\"{path}\", {(accumulator is null ? "" : accumulator + " ?? ")}p.Zeros(\"d_{ParameterPath.PropertyName(path)}\", {_deviceParameters[path]}));");
        }
        foreach (var argument in _spec.Arguments.Where(a => a.Kind == ArgumentKind.Tensor && a.Wrt))
            w.Line($"p.Gradient(\"{argument.Name.Replace("@", "")}\", {_accumulators[argument.Name]} ?? p.Zeros(\"d_{argument.Name.Replace("@", "")}\", {argument.Name}));");
        w.Close();
        w.Line();
        w.Line($"/// <summary>The CUDA kernels of <see cref=\"{program}\"/>: each statement's forward and pullback, named after its variables; compiled at run time by NVRTC.</summary>");
        w.Line(GeneratedCode);
        w.StartLine($"public const string {source} = global::Differentiable.Scheduling.KernelPrelude.Source + @\"\n").AppendVerbatim(_deviceCuda.Range()).Append("\";\n");
    }

    /// <summary>One statement in the device driver: its forward's launches, then a closure that records its pullback's.</summary>
    private void WriteDeviceStatement(SourceWriter w, Stmt statement, string assign, string target)
    {
        var device = _deviceStatements[statement];
        var (_, numbers, indexes) = _statements[statement];
        w.Line("// " + statement.Text);
        foreach (var (saved, name) in numbers) w.Line($"var {saved} = {name};");
        foreach (var (name, saved) in device.Saved) w.Line($"var {saved} = {name};");
        foreach (var line in Lines(device.Forward)) w.Line(line);
        w.Line(assign + device.Forward.Result + ";");
        if (!_accumulators.TryGetValue(target, out var adjoint)) return;
        var contributions = device.Pullback.Gradients.Where(g => g.Gradient is not null && DeviceAccumulator(g.Leaf, indexes) is not null).ToList();
        if (contributions.Count == 0)
        {
            w.Line($"{_tape}.Push(() => {adjoint} = null); // no gradient flows through this statement; before it, the target is another value");
            return;
        }
        w.Open($"{_tape}.Push(() =>");
        w.Line($"if ({adjoint} is not {{ }} {device.Incoming}) return; // nothing flowed into the value assigned here");
        w.Line($"{adjoint} = null; // before this statement, the target is another value: its adjoint starts over");
        foreach (var line in Lines(device.Pullback)) w.Line(line);
        foreach (var (leaf, gradient) in contributions)
        {
            var into = DeviceAccumulator(leaf, indexes)!;
            var name = into.Contains("[") ? into.Substring(0, into.IndexOf('[')) : into;
            w.Line($"{into} = p.Accumulate(\"{name}\", {into}, {gradient});");
        }
        w.Close("});");
    }

    private static IEnumerable<string> Lines(DeviceEmitter.InlineProgram program) =>
        program.Lines.Length == 0 ? Enumerable.Empty<string>() : program.Lines.Split('\n');

    /// <summary>Where a leaf's gradient is added in the driver: a variable's adjoint, a parameter's, or a list element's slot.</summary>
    private string? DeviceAccumulator(Node leaf, Dictionary<string, string> indexes)
    {
        var text = leaf.Attributes.Text!;
        if (leaf.Op == Op.Input) return _accumulators.TryGetValue(text, out var a) ? a : null;
        if (leaf.Op != Op.Parameter || !_parameterAccumulators.TryGetValue(Canonical(text), out var accumulator)) return null;
        return ModuleVariable(text) is { } variable ? $"{accumulator}[{indexes[variable]}]" : accumulator;
    }
}
