using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Autodiff;
using Differentiable.Generator.Calls;
using Differentiable.Generator.IR;
using Differentiable.Generator.Lowering;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Emit;

/// <summary>
/// Writes <c>{M}WithGradients</c> for a body with control flow (issue 11), as Tangent and Clad do: the forward is the
/// user's own if/while/for with the user's locals and conditions, and every straight-line tensor statement is lowered,
/// differentiated and written on its own (<see cref="MethodEmitter.WriteStatement"/>), pushing a closure with its
/// backward onto a tape. The backward seeds the result's adjoint and pops the tape: the closures run in the reverse
/// of the order the statements ran, so gradients follow the path taken, once per loop iteration, as in PyTorch.
/// </summary>
internal sealed partial class ControlFlowEmitter
{
    private const string GeneratedCode = GeneratedMembers.Attribute;

    private readonly MethodWork _method;
    private readonly MethodSpec _spec;
    private readonly GenerationContext _context;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly HashSet<string> _reserved;
    private readonly NameTable _names;
    private readonly Dictionary<string, ArgumentSpec> _variables = new();
    private readonly Dictionary<string, string> _accumulators = new();
    private readonly Dictionary<string, string> _parameterAccumulators = new();
    private readonly Dictionary<Stmt, (Gradient Gradient, List<(string Saved, string Name)> Numbers, Dictionary<string, string> Indexes)> _statements = new();

    /// <summary>
    /// The loops over lists of sub-modules (<c>foreach (var layer in Layers)</c>), by variable: the list, and the index the
    /// generated loop counts with, which a statement's closure keeps a copy of to add into its element's gradient.
    /// </summary>
    private readonly Dictionary<string, (ForEachModule Loop, string Index)> _moduleLoops = new();
    private readonly string _tape;

    /// <summary>
    /// Tensor locals assigned after their declaration: a closure must keep a copy of the value it read. A local that is
    /// only declared needs none, even in a loop: each iteration declares a new variable, which the closure captures.
    /// </summary>
    private readonly HashSet<string> _reassigned = new();
    private string _result = "";

    /// <summary>Whether a return sits inside if/while/for: then each return assigns <see cref="_result"/> and jumps to the backward.</summary>
    private bool _earlyReturn;

    /// <summary>Where a return inside control flow jumps to (the user's code has no labels: goto is refused in bodies).</summary>
    private const string BackwardLabel = "backward";

    /// <summary>The method's calls of other [Differentiable] methods, by place: each asks its callee for the pullback variant the call graph planned.</summary>
    private readonly Dictionary<SourceSpot, CallSite> _sites = new();

    /// <summary>The tensor arguments whose gradients this member computes (a bit per position): [Wrt] ones, or what a caller asked for.</summary>
    private readonly ulong _mask;

    private ControlFlowEmitter(MethodWork method, GenerationContext context, List<DiagnosticInfo> diagnostics, ulong mask, bool device = false)
    {
        _mask = mask;
        _device = device;
        foreach (var site in method.Summary.Sites) _sites[site.Where] = site;
        _method = method;
        _spec = method.Spec;
        _context = context;
        _diagnostics = diagnostics;
        foreach (var argument in _spec.Arguments) _variables[argument.Name] = argument;
        foreach (var local in _spec.Locals)
            if (!_variables.ContainsKey(local.Name)) _variables[local.Name] = local;
        _moduleLoopList = Statements.Flatten(_spec.Body).OfType<ForEachModule>().ToList();
        // Generated names never take a user's name: the user's locals are declared in the same scopes as in the source.
        _reserved = new HashSet<string>(context.Reserved.Concat(_variables.Keys).Concat(_moduleLoopList.Select(l => l.Variable)).Concat(new[] { SeedName }));
        // A device program's buffers name its kernels: they must be CUDA names too.
        if (device) _reserved.UnionWith(Cuda.DeviceEmitter.CudaReserved);
        _names = new NameTable(Enumerable.Empty<string>(), _reserved);
        _tape = Claim("tape");
    }

    private readonly List<ForEachModule> _moduleLoopList;

    private string SeedName => _spec.Arguments.Any(a => a.Name == "seed") ? "seed_" : "seed";

    private string Claim(string wanted)
    {
        var name = _names.Claim(wanted);
        _reserved.Add(name);
        return name;
    }

    /// <summary>Writes the method's members; false (with diagnostics) when a statement cannot be differentiated.</summary>
    public static bool Write(SourceWriter w, MethodWork method, GenerationContext context, List<DiagnosticInfo> diagnostics) =>
        new ControlFlowEmitter(method, context, diagnostics, CallMasks.Declared(method.Spec)).Write(w);

    /// <summary>Checks the body and lowers every statement (false, with diagnostics, when one cannot be differentiated).</summary>
    private bool Prepare()
    {
        var conflict = _spec.Locals.GroupBy(l => l.Name).FirstOrDefault(g => g.Select(l => l.Kind == ArgumentKind.Tensor).Distinct().Count() > 1
            || _spec.Arguments.Any(a => a.Name == g.Key));
        if (conflict is not null)
        {
            _diagnostics.Add(new DiagnosticInfo(Diagnostics.ControlFlowNotSupported, _spec.Where, conflict.Key,
                "in a body with control flow, locals in different scopes that share a name must have the same kind (tensor or number); rename one"));
            return false;
        }
        // A local named like a member of the class (or a runtime function the generated code calls) would hide it.
        if (_spec.Locals.FirstOrDefault(l => _context.Reserved.Contains(l.Name)) is { } hiding)
        {
            _diagnostics.Add(new DiagnosticInfo(Diagnostics.ControlFlowNotSupported, _spec.Where, hiding.Name,
                $"in a body with control flow, a local may not have the name of a member of {_spec.Class.Name} or of a function the generated code calls; rename the local"));
            return false;
        }
        if (ModuleLoopConflict() is { } clash)
        {
            _diagnostics.Add(clash);
            return false;
        }
        // A return inside if/while/for: every return assigns one result and jumps to the backward (C# has checked that
        // every path returns, so the result is assigned wherever the backward starts).
        _earlyReturn = Statements.Flatten(_spec.Body).OfType<ReturnStatement>().Count() > _spec.Body.OfType<ReturnStatement>().Count();
        if (_earlyReturn)
        {
            _result = Claim("result");
            _accumulators["\0result"] = Claim("d_result");
        }
        else if (!_spec.Body.Any(s => s is ReturnStatement))
        {
            _diagnostics.Add(new DiagnosticInfo(Diagnostics.UnsupportedStatement, _spec.Where, "a body without a final 'return'"));
            return false;
        }
        foreach (var variable in _variables.Values.Where(HasAdjoint)) _accumulators[variable.Name] = Claim("d_" + variable.Name.Replace("@", ""));
        if (!Lower(_spec.Body)) return false;

        var parameters = _statements.Values.SelectMany(s => s.Gradient.Method.WrtLeaves).Where(l => l.Op == Op.Parameter).Select(l => Canonical(l.Attributes.Text!))
            .Distinct().OrderBy(p => _spec.Class.ParameterPaths.OrderOf(p)).ToList();
        foreach (var path in parameters) _parameterAccumulators[path] = Claim("d_" + path.Replace("global::", "").Replace("." + ParameterPath.Each, "").Replace('.', '_'));
        _parametersReached = parameters;
        return true;

    }

    /// <summary>The parameters the body's statements read, by the class's paths, in declaration order.</summary>
    private List<string> _parametersReached = new();

    private bool Write(SourceWriter w)
    {
        if (!Prepare()) return false;
        var outputs = Outputs(_parametersReached);
        WriteGradientsClass(w, outputs);
        w.Line();
        WriteDocumentation(w);
        w.Line(GeneratedCode);
        var signature = string.Join(", ", _spec.Arguments.Select(a => a.CSharpType + " " + a.Name).Concat(new[] { "Tensor? " + SeedName + " = null" }));
        w.Open($"public {(_spec.IsStatic ? "static " : "")}(Tensor Value, {_spec.Name}Gradients Gradients) {_spec.Name}WithGradients({signature})");
        WriteForward(w);
        w.Line($"// Backward: L = Σ {SeedName} ⊙ {_result}; the tape runs in reverse, replaying the path the forward took.");
        w.Line($"{_accumulators[_result]} = Seed({_result}, {SeedName});");
        w.Line($"while ({_tape}.Count > 0) {_tape}.Pop()();");
        w.Line($"return ({_result}, new {_spec.Name}Gradients {{ {string.Join(", ", outputs.Select(o => $"{o.Property} = {o.Result}"))} }});");
        w.Close();
        return true;
    }

    /// <summary>
    /// Writes a forward-with-pullback for callers (calls are calls): the same forward and tape, and a pullback that seeds the
    /// result's adjoint, replays the tape and returns the gradients a call reads, by the names its callers use. A tape is
    /// replayed once: each call's pullback is applied once, by its caller's backward.
    /// </summary>
    public static bool WriteVjp(SourceWriter w, MethodWork method, GenerationContext context, List<DiagnosticInfo> diagnostics, ulong mask,
        CalleeSignature signature, string? marker = null)
    {
        var emitter = new ControlFlowEmitter(method, context, diagnostics, mask);
        if (!emitter.Prepare()) return false;
        emitter.WriteVjp(w, mask, signature, marker);
        return true;
    }

    private void WriteVjp(SourceWriter w, ulong mask, CalleeSignature signature, string? marker)
    {
        var (argumentNames, parameterNames) = signature.GradientNames();
        var gradients = new List<string>();
        foreach (var path in signature.ReachedParameters)
        {
            var have = _parameterAccumulators.TryGetValue(path, out var accumulator);
            if (ParameterPath.TrySplitList(path, out var list, out var inElement))
                gradients.Add($"{parameterNames[path]} = GradientsOrZeros({(have ? accumulator : $"new Tensor?[{list}.{CountOf(list)}]")}, index => {list}[index].{inElement})");
            else
                gradients.Add($"{parameterNames[path]} = {(have ? accumulator + " ?? " : "")}ZerosLike({path})");
        }
        foreach (var i in signature.TensorPositions())
            if ((mask & CallMasks.Bit(i)) != 0)
                gradients.Add($"{argumentNames[i]} = {_accumulators[_spec.Arguments[i].Name]} ?? ZerosLike({_spec.Arguments[i].Name})");

        var name = signature.VjpName(mask);
        w.Line("/// <summary>");
        w.Line($"/// <c>{_spec.Name}({string.Join(", ", _spec.Arguments.Select(a => a.Name))})</c> and its pullback, for [Differentiable] methods that call it: the forward");
        w.Line("/// runs as written and records a tape; the pullback replays it (once) and returns the gradients its caller reads.");
        w.Line("/// </summary>");
        w.Line(GeneratedCode);
        if (marker is not null) w.Line(marker);
        var arguments = string.Join(", ", _spec.Arguments.Select(a => a.CSharpType + " " + a.Name));
        w.Open($"public {(_spec.IsStatic ? "static " : "")}(Tensor Value, global::System.Func<Tensor?, {signature.CallGradientsClass}> Pullback) {name}({arguments})");
        WriteForward(w);
        var seed = Claim("seed");
        w.Open($"return ({_result}, {seed} =>");
        w.Line($"// Backward: L = Σ {seed} ⊙ {_result}; the tape runs in reverse, replaying the path the forward took.");
        w.Line($"{_accumulators[_result]} = Seed({_result}, {seed});");
        w.Line($"while ({_tape}.Count > 0) {_tape}.Pop()();");
        w.Line($"return new {signature.CallGradientsClass} {{ {string.Join(", ", gradients)} }};");
        w.Close("});");
        w.Close();
    }

    /// <summary>The forward: the tape, the adjoints, and the user's statements and control flow as written.</summary>
    private void WriteForward(SourceWriter w)
    {
        w.Line($"// Forward: {_spec.Name} as written; each tensor statement pushes its backward onto the tape, once per time it runs.");
        w.Line($"var {_tape} = new global::System.Collections.Generic.Stack<global::System.Action>();");
        if (_device) WriteDeviceLeaves(w);
        w.Line("// Adjoints d_v = ∂L/∂v, null until a gradient flows into v.");
        foreach (var accumulator in _accumulators.Values.Distinct()) w.Line($"{TensorType}? {accumulator} = null;");
        foreach (var pair in _parameterAccumulators)
        {
            var (path, accumulator) = (pair.Key, pair.Value);
            if (!ParameterPath.TrySplitList(path, out var list, out var inElement))
            {
                w.Line($"{TensorType}? {accumulator} = null;");
                continue;
            }
            w.Line($"var {accumulator} = new {TensorType}?[{list}.{CountOf(list)}]; // {accumulator}[i] = ∂L/∂{list}[i].{inElement}");
        }
        if (_earlyReturn)
        {
            w.Line($"{TensorType} {_result}; // assigned by whichever return runs, which then jumps to the backward");
            _accumulators[_result] = _accumulators["\0result"];
        }
        WriteStatements(w, _spec.Body);
        w.Line();
        if (_earlyReturn) w.Line($"{BackwardLabel}:");
    }

    /// <summary>Tensors whose gradient is tracked: tensor locals and the [Wrt] tensor arguments.</summary>
    private bool HasAdjoint(ArgumentSpec variable)
    {
        if (variable.Kind != ArgumentKind.Tensor) return false;
        for (var i = 0; i < _spec.Arguments.Count; i++)
            if (_spec.Arguments[i].Name == variable.Name) return (_mask & CallMasks.Bit(i)) != 0;
        return true;   // a local
    }

    /// <summary>
    /// The gradients returned, by property: a parameter's (<c>d_W ?? ZerosLike(W)</c>), one per element for a parameter of
    /// a list of sub-modules (<see cref="GeneratedMembers.ListOutput"/>), then the [Wrt] arguments'.
    /// </summary>
    private List<(string Property, string Result, string Name, GeneratedMembers.ListOutput? List)> Outputs(List<string> parameters)
    {
        var taken = new HashSet<string> { "All", _spec.Name + "Gradients" };
        var outputs = new List<(string, string, string, GeneratedMembers.ListOutput?)>();
        string Property(string path)
        {
            var wanted = path.Replace("global::", "").Replace("." + ParameterPath.Each, "").Replace('.', '_');
            var name = wanted;
            for (var k = 2; !taken.Add(name); k++) name = wanted + k;
            return name;
        }
        foreach (var path in parameters)
        {
            var accumulator = _parameterAccumulators[path];
            if (ParameterPath.TrySplitList(path, out var list, out var inElement))
                outputs.Add((Property(path), $"GradientsOrZeros({accumulator}, index => {list}[index].{inElement})", path, new GeneratedMembers.ListOutput(list, inElement)));
            else
                outputs.Add((Property(path), $"{accumulator} ?? ZerosLike({path})", path.Replace("global::", "").Replace("@", ""), null));
        }
        foreach (var argument in _spec.Arguments.Where(a => a.Kind == ArgumentKind.Tensor && a.Wrt))
            outputs.Add((Property(argument.Name), $"{_accumulators[argument.Name]} ?? ZerosLike({argument.Name})", argument.Name.Replace("@", ""), null));
        return outputs;
    }

    private string CountOf(string list) => _spec.Class.ModuleLists.First(l => l.Path == list).CountMember;

    /// <summary>The variable of the module loop a parameter leaf is reached through (<c>layer</c> for <c>layer.W</c>), or null.</summary>
    private string? ModuleVariable(string leafPath)
    {
        var dot = leafPath.IndexOf('.');
        return dot > 0 && _moduleLoops.ContainsKey(leafPath.Substring(0, dot)) ? leafPath.Substring(0, dot) : null;
    }

    /// <summary>A parameter's path as the class declares it: <c>layer.W</c> inside <c>foreach (var layer in Layers)</c> is <c>Layers.*.W</c>.</summary>
    private string Canonical(string leafPath) =>
        ModuleVariable(leafPath) is { } variable
            ? _moduleLoops[variable].Loop.ListPath + "." + ParameterPath.Each + leafPath.Substring(variable.Length)
            : leafPath;

    /// <summary>
    /// Two loops over different lists with one variable name, or a loop variable named like a local, an argument or a
    /// member: the generated code tells elements apart by the variable, so each must be one list's.
    /// </summary>
    private DiagnosticInfo? ModuleLoopConflict()
    {
        foreach (var loop in _moduleLoopList)
        {
            string? why = null;
            if (_moduleLoopList.Any(other => other.Variable == loop.Variable && other.ListPath != loop.ListPath))
                why = "two foreach loops over different lists of sub-modules use this variable name; rename one";
            else if (_variables.ContainsKey(loop.Variable))
                why = "a local or argument has the name of this foreach variable; rename one";
            else if (_context.Reserved.Contains(loop.Variable))
                why = $"a foreach variable may not have the name of a member of {_spec.Class.Name} or of a function the generated code calls; rename it";
            if (why is not null) return new DiagnosticInfo(Diagnostics.ControlFlowNotSupported, loop.Where, loop.Text, why);
        }
        return null;
    }

    /// <summary>First pass: lowers and differentiates every tensor statement, so the parameters are known before anything is written.</summary>
    private bool Lower(IEnumerable<Stmt> statements)
    {
        var ok = true;
        var pending = new Stack<IEnumerator<Stmt>>();
        pending.Push(statements.GetEnumerator());
        while (pending.Count > 0)
        {
            if (!pending.Peek().MoveNext())
            {
                pending.Pop();
                continue;
            }
            switch (pending.Peek().Current)
            {
                case LocalDeclaration declaration:
                    ok &= LowerStatement(declaration, declaration.Name, declaration.Value);
                    break;
                case LocalAssignment assignment:
                    _reassigned.Add(assignment.Name);
                    ok &= LowerStatement(assignment, assignment.Name, assignment.Value);
                    break;
                case ReturnStatement { Value: NameRef name } when !_earlyReturn && _variables.TryGetValue(name.Name, out var v) && v.Kind == ArgumentKind.Tensor:
                    if (!_accumulators.ContainsKey(name.Name)) _accumulators[name.Name] = Claim("d_" + name.Name.Replace("@", ""));
                    break;
                case ReturnStatement ret:
                    if (!_accumulators.ContainsKey("\0result")) _accumulators["\0result"] = Claim("d_result");
                    ok &= LowerStatement(ret, "result", ret.Value);
                    break;
                case IfStatement branch:
                    pending.Push(((IEnumerable<Stmt>)branch.Else).GetEnumerator());
                    pending.Push(((IEnumerable<Stmt>)branch.Then).GetEnumerator());
                    break;
                case WhileLoop loop:
                    pending.Push(((IEnumerable<Stmt>)loop.Body).GetEnumerator());
                    break;
                case RuntimeForLoop loop:
                    pending.Push(((IEnumerable<Stmt>)loop.Body).GetEnumerator());
                    break;
                case BlockStatement block:
                    pending.Push(((IEnumerable<Stmt>)block.Body).GetEnumerator());
                    break;
                case ForEachModule loop:
                    if (!_moduleLoops.ContainsKey(loop.Variable)) _moduleLoops[loop.Variable] = (loop, Claim(loop.Variable.Replace("@", "") + "_index"));
                    pending.Push(((IEnumerable<Stmt>)loop.Body).GetEnumerator());
                    break;
            }
        }
        return ok;
    }

    private bool LowerStatement(Stmt statement, string target, Expr value)
    {
        var free = new List<FreeVariable>();
        var numbers = new List<(string Saved, string Name)>();
        foreach (var name in Lowerer.FreeNames(value))
        {
            if (!_variables.TryGetValue(name, out var variable))
            {
                _diagnostics.Add(new DiagnosticInfo(Diagnostics.UnassignedLocal, statement.Where, name));
                return false;
            }
            var isArgument = _spec.Arguments.Any(a => a.Name == name);
            var text = name;
            if (variable.Kind is ArgumentKind.Int or ArgumentKind.Scalar && !isArgument)
            {
                // A number local (a loop variable) changes after this statement: the backward reads the value it had here.
                text = Claim(name.Replace("@", "") + "_saved");
                numbers.Add((text, name));
            }
            if (variable.Kind == ArgumentKind.Int) text = "(double)" + text;
            free.Add(new FreeVariable(name, variable.Kind, variable.Kind == ArgumentKind.Tensor && _accumulators.ContainsKey(name), text));
        }
        var request = new LoweringRequest(_spec, _mask, null, false, _context.Bodies, _context.Signatures, _sites);
        var lowered = Lowerer.LowerStatement(request, value, target.Replace("@", "") + "_new", statement.Text, free, _diagnostics);
        if (lowered is null) return false;
        // A parameter of a list's element: the closure adds into that element's gradient, so it keeps the loop's index.
        var indexes = new Dictionary<string, string>();
        foreach (var leaf in lowered.WrtLeaves.Where(l => l.Op == Op.Parameter))
        {
            if (ModuleVariable(leaf.Attributes.Text!) is not { } variable || indexes.ContainsKey(variable)) continue;
            var index = _moduleLoops[variable].Index;
            indexes[variable] = Claim(index + "_saved");
            numbers.Add((indexes[variable], index));
        }
        _statements[statement] = (ReverseMode.Differentiate(lowered), numbers, indexes);
        _statementSources[statement] = (value, statement.Text, free);
        return true;
    }

    /// <summary>Second pass: the user's statements and control flow, in the user's order and nesting.</summary>
    private void WriteStatements(SourceWriter w, IEnumerable<Stmt> statements, bool topLevel = true)
    {
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case LocalDeclaration declaration:
                    WriteTensorStatement(w, declaration, "var " + declaration.Name + " = ", declaration.Name);
                    break;
                case LocalAssignment assignment:
                    WriteTensorStatement(w, assignment, assignment.Name + " = ", assignment.Name);
                    break;
                case ReturnStatement { Value: NameRef name } when _statements.ContainsKey(statement) is false && _accumulators.ContainsKey(name.Name):
                    _result = name.Name;
                    return;
                case ReturnStatement ret when _earlyReturn:
                    WriteTensorStatement(w, ret, _result + " = ", _result);
                    if (!topLevel) w.Line($"goto {BackwardLabel};");
                    return;
                case ReturnStatement ret:
                    _result = Claim("result");
                    _accumulators[_result] = _accumulators["\0result"];
                    WriteTensorStatement(w, ret, "var " + _result + " = ", _result);
                    return;
                case DeclaredLocal local:
                    w.Line($"{(local.TypeName == "Tensor" ? TensorType : local.TypeName)} {local.Name};");
                    break;
                case NumberStatement number:
                    w.Line(number.Code);
                    break;
                case IfStatement branch:
                    WriteIf(w, branch, "if");
                    break;
                case WhileLoop loop:
                    w.Open($"while ({loop.Condition})");
                    WriteStatements(w, loop.Body, topLevel: false);
                    w.Close();
                    break;
                case RuntimeForLoop loop:
                    w.Open(loop.Header);
                    WriteStatements(w, loop.Body, topLevel: false);
                    w.Close();
                    break;
                case BlockStatement block:
                    w.OpenBlock();
                    WriteStatements(w, block.Body, topLevel: false);
                    w.Close();
                    break;
                case ForEachModule loop:
                    var index = _moduleLoops[loop.Variable].Index;
                    w.Line($"// {loop.Text}, by index: each element's parameters get their own gradient");
                    w.Open($"for (var {index} = 0; {index} < {loop.ListPath}.{loop.CountMember}; {index}++)");
                    w.Line($"var {loop.Variable} = {loop.ListPath}[{index}];");
                    WriteStatements(w, loop.Body, topLevel: false);
                    w.Close();
                    break;
                case BreakStatement:
                    w.Line("break;");
                    break;
                case ContinueStatement:
                    w.Line("continue;");
                    break;
            }
        }
    }

    private void WriteIf(SourceWriter w, IfStatement branch, string keyword)
    {
        w.Open($"{keyword} ({branch.Condition})");
        WriteStatements(w, branch.Then, topLevel: false);
        w.Close();
        if (!branch.HasElse) return;
        if (branch.Else.Count == 1 && branch.Else[0] is IfStatement elseIf)
        {
            WriteIf(w, elseIf, "else if");
            return;
        }
        w.Open("else");
        WriteStatements(w, branch.Else, topLevel: false);
        w.Close();
    }

    private void WriteTensorStatement(SourceWriter w, Stmt statement, string assign, string target)
    {
        if (_device)
        {
            WriteDeviceStatement(w, statement, assign, target);
            return;
        }
        var (gradient, numbers, indexes) = _statements[statement];
        w.Line("// " + statement.Text);
        foreach (var (saved, name) in numbers) w.Line($"var {saved} = {name};");
        // One name table for the whole body: every statement's locals differ, and a name's next suffix is remembered.
        var emitter = new MethodEmitter(gradient, _reserved, _names);
        emitter.WriteStatement(w, assign, _accumulators.TryGetValue(target, out var adjoint) ? adjoint : null, _tape,
            leaf => _reassigned.Contains(leaf.Attributes.Text!),
            leaf => leaf.Op == Op.Parameter ? ParameterAccumulator(leaf.Attributes.Text!, indexes) : _accumulators.TryGetValue(leaf.Attributes.Text!, out var a) ? a : null);
    }

    /// <summary>Where a statement adds a parameter's gradient: <c>d_W</c>, or the element's slot <c>d_Layers_W[layer_index_saved]</c>.</summary>
    private string ParameterAccumulator(string leafPath, Dictionary<string, string> indexes)
    {
        var accumulator = _parameterAccumulators[Canonical(leafPath)];
        if (ModuleVariable(leafPath) is { } variable) return $"{accumulator}[{indexes[variable]}]";
        // The whole list's parameters, reached through a call of a method that loops over it.
        return ParameterPath.IsList(leafPath) ? MethodEmitter.EachPrefix + accumulator : accumulator;
    }

    private void WriteGradientsClass(SourceWriter w, List<(string Property, string Result, string Name, GeneratedMembers.ListOutput? List)> outputs) =>
        GeneratedMembers.WriteGradientsClass(w, _spec.Name, _spec.Name + "Gradients", outputs.Select(o => (o.Property, o.Name)).ToList(),
            outputs.Where(o => o.List is not null).ToDictionary(o => o.Property, o => o.List!));

    private void WriteDocumentation(SourceWriter w)
    {
        w.Line("/// <summary>");
        w.Line($"/// Computes <c>{_spec.Name}({string.Join(", ", _spec.Arguments.Select(a => a.Name))})</c> and, by reverse-mode differentiation, its gradients. Its body has control");
        w.Line("/// flow: the forward runs it as written and records each tensor statement's backward on a tape, which the backward");
        w.Line("/// replays in reverse, so the gradients are those of the path taken.");
        w.Line("/// </summary>");
        foreach (var argument in _spec.Arguments) w.Line($"/// <param name=\"{argument.Name.Replace("@", "")}\">As in <see cref=\"{_spec.Name}\"/>.</param>");
        w.Line($"/// <param name=\"{SeedName}\">∂L/∂result, the gradient flowing into the result; ones when null, so a scalar loss gets its plain gradient.</param>");
        w.Line($"/// <returns>The value of <c>{_spec.Name}</c> and the gradients.</returns>");
    }

}
