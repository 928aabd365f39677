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
internal sealed class ControlFlowEmitter
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
    private readonly Dictionary<Stmt, (Gradient Gradient, List<(string Saved, string Name)> Numbers)> _statements = new();
    private readonly string _tape;

    /// <summary>
    /// Tensor locals assigned after their declaration: a closure must keep a copy of the value it read. A local that is
    /// only declared needs none, even in a loop: each iteration declares a new variable, which the closure captures.
    /// </summary>
    private readonly HashSet<string> _reassigned = new();
    private string _result = "";

    private ControlFlowEmitter(MethodWork method, GenerationContext context, List<DiagnosticInfo> diagnostics)
    {
        _method = method;
        _spec = method.Spec;
        _context = context;
        _diagnostics = diagnostics;
        foreach (var argument in _spec.Arguments) _variables[argument.Name] = argument;
        foreach (var local in _spec.Locals)
            if (!_variables.ContainsKey(local.Name)) _variables[local.Name] = local;
        // Generated names never take a user's name: the user's locals are declared in the same scopes as in the source.
        _reserved = new HashSet<string>(context.Reserved.Concat(_variables.Keys).Concat(new[] { SeedName }));
        _names = new NameTable(Enumerable.Empty<string>(), _reserved);
        _tape = Claim("tape");
    }

    private string SeedName => _spec.Arguments.Any(a => a.Name == "seed") ? "seed_" : "seed";

    private string Claim(string wanted)
    {
        var name = _names.Claim(wanted);
        _reserved.Add(name);
        return name;
    }

    /// <summary>Writes the method's members; false (with diagnostics) when a statement cannot be differentiated.</summary>
    public static bool Write(SourceWriter w, MethodWork method, GenerationContext context, List<DiagnosticInfo> diagnostics) =>
        new ControlFlowEmitter(method, context, diagnostics).Write(w);

    private bool Write(SourceWriter w)
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
        if (!_spec.Body.Any(s => s is ReturnStatement))
        {
            _diagnostics.Add(new DiagnosticInfo(Diagnostics.UnsupportedStatement, _spec.Where, "a body without a final 'return'"));
            return false;
        }
        foreach (var variable in _variables.Values.Where(HasAdjoint)) _accumulators[variable.Name] = Claim("d_" + variable.Name.Replace("@", ""));
        if (!Lower(_spec.Body)) return false;

        var parameters = _statements.Values.SelectMany(s => s.Gradient.Method.WrtLeaves).Where(l => l.Op == Op.Parameter).Select(l => l.Attributes.Text!)
            .Distinct().OrderBy(p => _spec.Class.ParameterPaths.OrderOf(p)).ToList();
        foreach (var path in parameters) _parameterAccumulators[path] = Claim("d_" + path.Replace("global::", "").Replace('.', '_'));
        var outputs = Outputs(parameters);

        WriteGradientsClass(w, outputs);
        w.Line();
        WriteDocumentation(w);
        w.Line(GeneratedCode);
        var signature = string.Join(", ", _spec.Arguments.Select(a => a.CSharpType + " " + a.Name).Concat(new[] { "Tensor? " + SeedName + " = null" }));
        w.Open($"public {(_spec.IsStatic ? "static " : "")}(Tensor Value, {_spec.Name}Gradients Gradients) {_spec.Name}WithGradients({signature})");
        w.Line($"// Forward: {_spec.Name} as written; each tensor statement pushes its backward onto the tape, once per time it runs.");
        w.Line($"var {_tape} = new global::System.Collections.Generic.Stack<global::System.Action>();");
        w.Line("// Adjoints d_v = ∂L/∂v, null until a gradient flows into v.");
        foreach (var accumulator in _accumulators.Values.Concat(_parameterAccumulators.Values)) w.Line($"Tensor? {accumulator} = null;");
        WriteStatements(w, _spec.Body);
        w.Line();
        w.Line($"// Backward: L = Σ {SeedName} ⊙ {_result}; the tape runs in reverse, replaying the path the forward took.");
        w.Line($"{_accumulators[_result]} = Seed({_result}, {SeedName});");
        w.Line($"while ({_tape}.Count > 0) {_tape}.Pop()();");
        w.Line($"return ({_result}, new {_spec.Name}Gradients {{ {string.Join(", ", outputs.Select(o => $"{o.Property} = {o.Accumulator} ?? ZerosLike({o.Value})"))} }});");
        w.Close();
        w.Line();
        w.Line($"// {_spec.Name} has no device program: its body has control flow; train it on the CPU.");
        return true;
    }

    /// <summary>Tensors whose gradient is tracked: tensor locals and the [Wrt] tensor arguments.</summary>
    private bool HasAdjoint(ArgumentSpec variable) => variable.Kind == ArgumentKind.Tensor && (variable.Wrt || !_spec.Arguments.Any(a => a.Name == variable.Name));

    private List<(string Property, string Accumulator, string Value, string Name)> Outputs(List<string> parameters)
    {
        var taken = new HashSet<string> { "All", _spec.Name + "Gradients" };
        var outputs = new List<(string, string, string, string)>();
        void Add(string path, string accumulator)
        {
            var wanted = path.Replace("global::", "").Replace('.', '_');
            var name = wanted;
            for (var k = 2; !taken.Add(name); k++) name = wanted + k;
            outputs.Add((name, accumulator, path, path.Replace("global::", "").Replace("@", "")));
        }
        foreach (var path in parameters) Add(path, _parameterAccumulators[path]);
        foreach (var argument in _spec.Arguments.Where(a => a.Kind == ArgumentKind.Tensor && a.Wrt)) Add(argument.Name, _accumulators[argument.Name]);
        return outputs;
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
                case ReturnStatement { Value: NameRef name } when _variables.TryGetValue(name.Name, out var v) && v.Kind == ArgumentKind.Tensor:
                    if (!_accumulators.ContainsKey(name.Name)) _accumulators[name.Name] = Claim("d_" + name.Name.Replace("@", ""));
                    break;
                case ReturnStatement ret:
                    _accumulators["\0result"] = Claim("d_result");
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
        var request = new LoweringRequest(_spec, CallMasks.Declared(_spec), null, false, _context.Bodies, _context.Signatures,
            new Dictionary<SourceSpot, CallSite>());
        var lowered = Lowerer.LowerStatement(request, value, target.Replace("@", "") + "_new", statement.Text, free, _diagnostics);
        if (lowered is null) return false;
        _statements[statement] = (ReverseMode.Differentiate(lowered), numbers);
        return true;
    }

    /// <summary>Second pass: the user's statements and control flow, in the user's order and nesting.</summary>
    private void WriteStatements(SourceWriter w, IEnumerable<Stmt> statements)
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
                case ReturnStatement ret:
                    _result = Claim("result");
                    _accumulators[_result] = _accumulators["\0result"];
                    WriteTensorStatement(w, ret, "var " + _result + " = ", _result);
                    return;
                case DeclaredLocal local:
                    w.Line($"{local.TypeName} {local.Name};");
                    break;
                case NumberStatement number:
                    w.Line(number.Code);
                    break;
                case IfStatement branch:
                    WriteIf(w, branch, "if");
                    break;
                case WhileLoop loop:
                    w.Open($"while ({loop.Condition})");
                    WriteStatements(w, loop.Body);
                    w.Close();
                    break;
                case RuntimeForLoop loop:
                    w.Open(loop.Header);
                    WriteStatements(w, loop.Body);
                    w.Close();
                    break;
                case BlockStatement block:
                    w.OpenBlock();
                    WriteStatements(w, block.Body);
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
        WriteStatements(w, branch.Then);
        w.Close();
        if (!branch.HasElse) return;
        if (branch.Else.Count == 1 && branch.Else[0] is IfStatement elseIf)
        {
            WriteIf(w, elseIf, "else if");
            return;
        }
        w.Open("else");
        WriteStatements(w, branch.Else);
        w.Close();
    }

    private void WriteTensorStatement(SourceWriter w, Stmt statement, string assign, string target)
    {
        var (gradient, numbers) = _statements[statement];
        w.Line("// " + statement.Text);
        foreach (var (saved, name) in numbers) w.Line($"var {saved} = {name};");
        // One name table for the whole body: every statement's locals differ, and a name's next suffix is remembered.
        var emitter = new MethodEmitter(gradient, _reserved, _names);
        emitter.WriteStatement(w, assign, _accumulators.TryGetValue(target, out var adjoint) ? adjoint : null, _tape,
            leaf => _reassigned.Contains(leaf.Attributes.Text!),
            leaf => leaf.Op == Op.Parameter ? _parameterAccumulators[leaf.Attributes.Text!] : _accumulators.TryGetValue(leaf.Attributes.Text!, out var a) ? a : null);
    }

    private void WriteGradientsClass(SourceWriter w, List<(string Property, string Accumulator, string Value, string Name)> outputs) =>
        GeneratedMembers.WriteGradientsClass(w, _spec.Name, _spec.Name + "Gradients", outputs.Select(o => (o.Property, o.Name)).ToList());

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
