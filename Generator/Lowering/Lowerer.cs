using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.IR;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Lowering;

/// <summary>
/// Turns a parsed method into a graph of primitives: loops with constant bounds are unrolled, composites (softmax,
/// cross-entropy, ...) are expanded into primitives, and reassigned locals become new nodes. A call of another
/// [Differentiable] method is either kept a call (the C# path: a node that calls the callee's generated
/// forward-with-pullback) or inlined (the device path, whose planner fuses across calls), as the request says.
/// All work is counted: a method that would unroll or inline past <see cref="LoweringRequest.Budget"/> is DIFF013.
/// </summary>
internal sealed partial class Lowerer
{
    private readonly LoweringRequest _request;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly GraphBuilder _b = new();
    private readonly Stack<string> _callStack = new();
    private int _work;

    /// <summary>How deep inlined calls may nest (each level is a few frames of the compiler's 1 MiB stack).</summary>
    private const int MaxInlineDepth = 64;

    private Lowerer(LoweringRequest request, List<DiagnosticInfo> diagnostics)
    {
        _request = request;
        _diagnostics = diagnostics;
    }

    /// <summary>Lowers the request's method, or returns null after adding diagnostics.</summary>
    public static LoweredMethod? Lower(LoweringRequest request, List<DiagnosticInfo> diagnostics)
    {
        var lowerer = new Lowerer(request, diagnostics);
        try
        {
            return lowerer.LowerRoot(request.Method);
        }
        catch (LoweringException)
        {
            return null;
        }
    }

    private LoweredMethod LowerRoot(MethodSpec spec)
    {
        var env = new Dictionary<string, Value>();
        var arguments = new List<Value>();
        foreach (var argument in spec.Arguments)
        {
            var value = argument.Kind switch
            {
                ArgumentKind.Tensor => new Value(_b.Leaf(Op.Input, argument.Name)),
                ArgumentKind.Labels => new Value(_b.Leaf(Op.Input, argument.Name), IsLabels: true),
                ArgumentKind.Int => new Value(_b.ScalarRef("(double)" + argument.Name)),
                _ => new Value(_b.ScalarRef(argument.Name)),
            };
            env[argument.Name] = value;
            arguments.Add(value);
        }

        Node output;
        if (spec.CustomGradient is not null)
            output = CustomCall(spec, arguments.Select(a => a.Node!).ToArray());
        else
        {
            _callStack.Push(spec.Key);
            output = Tensor(LowerBody(spec, env, receiver: spec.IsStatic ? null : "", namePrefix: ""), spec.Where, "the result");
            _callStack.Pop();
        }
        _b.Name(output, Camel(spec.Name));

        // Parameters: those the graph reads, or (for a pullback, whose callers expect a fixed set) the ones the request names.
        var parameters = _request.ParameterOutputs is { } named
            ? named.Select(path => _b.Leaf(Op.Parameter, path))
            : Topology.Sort(new[] { output }).Where(n => n.Op == Op.Parameter).OrderBy(n => spec.Class.ParameterPaths.OrderOf(n.Attributes.Text!));
        var wrt = parameters.ToList();
        for (var i = 0; i < spec.Arguments.Count; i++)
            if (spec.Arguments[i].Kind == ArgumentKind.Tensor && (_request.ArgumentMask & Calls.CallMasks.Bit(i)) != 0)
                wrt.Add(env[spec.Arguments[i].Name].Node!);
        return new LoweredMethod(spec, output, wrt, _b);
    }

    /// <summary>Counts one unit of lowering work; past the budget the method is refused (DIFF013), never a hang.</summary>
    private void Work()
    {
        if (++_work <= _request.Budget) return;
        throw Fail(new DiagnosticInfo(Diagnostics.TooLarge, _request.Method.Where, _request.Method.Name,
            $"lowering it (statements, expressions and unrolled loop iterations{(_request.InlineCalls ? ", inlined calls included" : "")}) takes more than {_request.Budget} steps"));
    }


    /// <summary>Runs the statements of a body; returns the value of its 'return'.</summary>
    private Value LowerBody(MethodSpec method, Dictionary<string, Value> env, string? receiver, string namePrefix)
    {
        // Comments show where an inlined statement came from: "TunedSin.Apply: return Sin(x * w);".
        var origin = _callStack.Count > 1 ? method.Class.Name + "." + method.Name + ": " : "";
        var result = LowerStatements(method.Body, env, receiver, namePrefix, origin);
        if (result is null) throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedStatement, method.Where, "a body without 'return'"));
        return result;
    }

    private Value? LowerStatements(IEnumerable<Stmt> statements, Dictionary<string, Value> env, string? receiver, string namePrefix, string originPrefix)
    {
        foreach (var statement in statements)
        {
            Work();
            var origin = _b.CurrentOrigin;
            if (!(statement is ForLoop)) _b.CurrentOrigin = originPrefix + statement.Text;
            switch (statement)
            {
                case LocalDeclaration declaration:
                    Assign(env, declaration.Name, Evaluate(declaration.Value, env, receiver), namePrefix);
                    break;
                case LocalAssignment assignment:
                    Assign(env, assignment.Name, Evaluate(assignment.Value, env, receiver), namePrefix);
                    break;
                case ReturnStatement ret:
                    var value = Evaluate(ret.Value, env, receiver);
                    _b.CurrentOrigin = origin;
                    return value;
                case ForLoop loop:
                    for (long i = loop.Start; i < loop.End; i += loop.Step)
                    {
                        Work();
                        env[loop.Variable] = new Value(_b.Constant(i));
                        if (LowerStatements(loop.Body, env, receiver, namePrefix, originPrefix) is { } returned) return returned;
                    }
                    break;
                default:
                    // Control flow is never lowered as one graph (its bodies are generated statement by statement).
                    throw Fail(new DiagnosticInfo(Diagnostics.ControlFlowNotSupported, statement.Where, statement.Text, "this statement is not part of a straight-line body"));
            }
            _b.CurrentOrigin = origin;
        }
        return null;
    }

    private void Assign(Dictionary<string, Value> env, string name, Value value, string namePrefix)
    {
        env[name] = value;
        if (value.Node is { } node) _b.Name(node, namePrefix + name);
    }

    private Value Evaluate(Expr expr, Dictionary<string, Value> env, string? receiver)
    {
        Work();
        switch (expr)
        {
            case NumberLiteral number:
                return new Value(_b.Constant(number.Value));
            case BoolLiteral boolean:
                return new Value(Bool: boolean.Value);
            case NullLiteral:
                return Value.Null;
            case NameRef name:
                if (env.TryGetValue(name.Name, out var bound)) return bound;
                throw Fail(new DiagnosticInfo(Diagnostics.UnassignedLocal, name.Where, name.Name));
            case MemberRef member:
                var path = member.Path.StartsWith("global::", System.StringComparison.Ordinal) || string.IsNullOrEmpty(receiver) ? member.Path : receiver + "." + member.Path;
                if (member.Kind == MemberKind.Labels) return new Value(_b.Leaf(Op.ConstantTensor, path), IsLabels: true);
                // An int member is a number like any other, and may also give a window size read at run time (Pool.Kernel).
                if (member.Kind == MemberKind.Integer) return new Value(_b.ScalarRef(path), IntMember: path);
                return new Value(member.Kind switch
                {
                    MemberKind.Parameter => _b.Leaf(Op.Parameter, path),
                    MemberKind.ConstantTensor => _b.Leaf(Op.ConstantTensor, path),
                    _ => _b.ScalarRef(path),
                });
            case UnaryMinus minus:
                return new Value(_b.Neg(Numeric(Evaluate(minus.Operand, env, receiver), minus.Operand)));
            case BinaryOperation binary:
                var left = Numeric(Evaluate(binary.Left, env, receiver), binary.Left);
                var right = Numeric(Evaluate(binary.Right, env, receiver), binary.Right);
                return new Value(_b.Make(binary.Operator switch { '+' => Op.Add, '-' => Op.Sub, '*' => Op.Mul, _ => Op.Div }, left, right));
            case ArrayLiteral array:
                return EvaluateArray(array, env, receiver);
            case OpCall call:
                return LowerOp(call, EvaluateArguments(call, env, receiver));
            case MethodCall call:
                var values = EvaluateArguments(call, env, receiver);
                return _request.InlineCalls ? Inline(call, values, receiver) : Call(call, values);
        }
        throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, expr.Where, expr.GetType().Name, "not supported"));
    }

    // The cases with lambdas are methods of their own: a lambda over Evaluate's parameters made every call of it, for every
    // number and name of the body, allocate the closure.

    private Value EvaluateArray(ArrayLiteral array, Dictionary<string, Value> env, string? receiver)
    {
        var items = array.Items.Select(item => Evaluate(item, env, receiver)).ToList();
        if (items.Count > 0 && items.All(item => item.Node is { IsScalar: false } && !item.IsLabels))
            return new Value(Tensors: items.Select(item => item.Node!).ToArray());
        return new Value(Ints: items.Select((item, i) => ConstantInt(item, array.Items[i])).ToArray());
    }

    private List<(string Name, Value Value, Expr Expr)> EvaluateArguments(OpCall call, Dictionary<string, Value> env, string? receiver)
    {
        var arguments = new List<(string Name, Value Value, Expr Expr)>(call.Arguments.Count);
        foreach (var argument in call.Arguments) arguments.Add((argument.Name, Evaluate(argument.Value, env, receiver), argument.Value));
        return arguments;
    }

    private List<Value> EvaluateArguments(MethodCall call, Dictionary<string, Value> env, string? receiver)
    {
        var values = new List<Value>(call.Arguments.Count);
        foreach (var argument in call.Arguments) values.Add(Evaluate(argument, env, receiver));
        return values;
    }

    /// <summary>Inlines a call of another [Differentiable] method, with that method's members reached through the receiver's path.</summary>
    private Value Inline(MethodCall call, List<Value> arguments, string? receiver)
    {
        if (!_request.Bodies.TryGetValue(call.CalleeKey, out var callee) && _request.Signatures.TryGetValue(call.CalleeKey, out var external) && external.IsExternal)
        {
            if (IsPackageLayer(external))
                return InlinePackageLayer(call, external, arguments, call.ReceiverPath switch
                {
                    null => null,
                    "" => receiver,
                    var path => string.IsNullOrEmpty(receiver) ? path : receiver + "." + path,
                });
            throw Fail(new DiagnosticInfo(Diagnostics.UnknownMethod, call.Where, call.CalleeName,
                $"it is compiled in {external.Assembly}, whose metadata does not carry its body, and a device program inlines the bodies of the methods it calls (the C# path calls its exported pullback)"));
        }
        if (callee is null)
            throw Fail(new DiagnosticInfo(Diagnostics.UnknownMethod, call.Where, call.CalleeName, "its [Differentiable] declaration was not found in this compilation"));
        // Inlining recurses once per level of calls: deeper chains are refused (their device program; the C# path calls).
        if (_callStack.Count > MaxInlineDepth)
            throw Fail(new DiagnosticInfo(Diagnostics.TooLarge, _request.Method.Where, _request.Method.Name, $"its calls nest more than {MaxInlineDepth} deep"));
        if (_callStack.Contains(callee.Key))
            throw Fail(new DiagnosticInfo(Diagnostics.Recursion, call.Where, callee.Name, string.Join(" → ", _callStack.Reverse().Select(k => k.Substring(k.LastIndexOf('.') + 1)).Concat(new[] { callee.Name }))));
        if (callee.Diagnostics.Count > 0 || callee.HasCompileErrors) throw new LoweringException(); // already reported at the callee
        // A body with control flow is not one graph: it cannot be inlined (only device programs inline; the C# path calls it).
        if (callee.HasControlFlow)
            throw Fail(new DiagnosticInfo(Diagnostics.ControlFlowNotSupported, call.Where, call.CalleeName + "(...)", $"{callee.Name} has control flow, which device programs do not record yet"));

        if (callee.CustomGradient is not null)
            return new Value(CustomCall(callee, arguments.Select((a, i) => Tensor(a, call.Arguments[i].Where, callee.Arguments[i].Name)).ToArray()));

        var env = new Dictionary<string, Value>();
        for (var i = 0; i < callee.Arguments.Count && i < arguments.Count; i++) env[callee.Arguments[i].Name] = arguments[i];

        string? calleeReceiver = call.ReceiverPath switch
        {
            null => null,
            "" => receiver,
            var path => string.IsNullOrEmpty(receiver) ? path : receiver + "." + path,
        };
        var prefix = ReceiverPrefix(calleeReceiver);
        _callStack.Push(callee.Key);
        var result = LowerBody(callee, env, calleeReceiver, prefix);
        _callStack.Pop();
        if (result.Node is { } node) _b.Hint(node, CallHint(call, callee.Class.FullName, prefix));
        return result;
    }

    private Node CustomCall(MethodSpec method, Node[] inputs)
    {
        return _b.Make(Op.CustomCall, CustomMethods(method.Class.FullName, method.Name, method.CustomGradient!.BackwardMethod), inputs);
    }

    private Node Numeric(Value value, Expr where) =>
        value.Node ?? throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, where.Where, "this value", "a tensor or a number is expected here"));

    private Node Tensor(Value value, SourceSpot where, string what)
    {
        if (value.Node is { IsScalar: false } node && !value.IsLabels) return node;
        throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, where, what, "a tensor is expected here"));
    }

    private int ConstantInt(Value value, Expr where)
    {
        if (value.Node is { Op: Op.Constant } c && c.Attributes.Value == System.Math.Floor(c.Attributes.Value)) return (int)c.Attributes.Value;
        throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, where.Where, "this value", "an integer known at generation time (a literal, a constant or a loop variable) is expected here"));
    }

    private LoweringException Fail(DiagnosticInfo diagnostic)
    {
        _diagnostics.Add(diagnostic);
        return new LoweringException();
    }

    public static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);
}
