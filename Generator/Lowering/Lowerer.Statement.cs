using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.IR;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Lowering;

/// <summary>How a free variable of one statement of a body with control flow is read: a tensor (an adjoint may flow to it) or number text.</summary>
internal sealed record FreeVariable(string Name, ArgumentKind Kind, bool Wrt, string NumberText);

/// <summary>How a statement of a body with control flow is lowered: for C# (value and gradients), or for a device program's forward or pullback.</summary>
internal enum StatementForDevice { No, Forward, Pullback }

internal sealed partial class Lowerer
{
    /// <summary>
    /// One straight-line statement of a body with control flow, as a graph of its own: <paramref name="value"/> over its
    /// free variables (tensors become Input leaves, numbers the C# text the driver reads them by), named
    /// <paramref name="outputName"/>. Gradients are asked for the tensor variables that have adjoints and the parameters read.
    /// </summary>
    public static LoweredMethod? LowerStatement(LoweringRequest request, Expr value, string outputName, string origin,
        IReadOnlyList<FreeVariable> free, List<DiagnosticInfo> diagnostics, StatementForDevice device = StatementForDevice.No, string? seed = null)
    {
        var lowerer = new Lowerer(request, diagnostics);
        try
        {
            var lowered = lowerer.LowerStatementRoot(value, outputName, origin, free);
            switch (device)
            {
                case StatementForDevice.Forward:
                    // The value alone: nothing is differentiated.
                    return new LoweredMethod(lowered.Spec, lowered.Output, new List<Node>(), lowered.Builder);
                case StatementForDevice.Pullback:
                    // The incoming adjoint: a leaf the device graph seeds the value with (DeviceGraph's seed).
                    lowered.Builder.Leaf(Op.Input, seed!);
                    return lowered;
            }
            return lowered;
        }
        catch (LoweringException)
        {
            return null;
        }
    }

    private LoweredMethod LowerStatementRoot(Expr value, string outputName, string origin, IReadOnlyList<FreeVariable> free)
    {
        var spec = _request.Method;
        var env = new Dictionary<string, Value>();
        var wrt = new List<Node>();
        foreach (var variable in free)
        {
            switch (variable.Kind)
            {
                case ArgumentKind.Tensor:
                    var leaf = _b.Leaf(Op.Input, variable.Name);
                    env[variable.Name] = new Value(leaf);
                    if (variable.Wrt) wrt.Add(leaf);
                    break;
                case ArgumentKind.Labels:
                    env[variable.Name] = new Value(_b.Leaf(Op.Input, variable.Name), IsLabels: true);
                    break;
                default:
                    env[variable.Name] = new Value(_b.ScalarRef(variable.NumberText));
                    break;
            }
        }
        _b.CurrentOrigin = origin;
        _callStack.Push(spec.Key);
        var output = Tensor(Evaluate(value, env, receiver: spec.IsStatic ? null : ""), value.Where, "the value assigned");
        _callStack.Pop();
        _b.Name(output, outputName);
        var parameters = Topology.Sort(new[] { output }).Where(n => n.Op == Op.Parameter).OrderBy(n => spec.Class.ParameterPaths.OrderOf(n.Attributes.Text!));
        return new LoweredMethod(spec, output, parameters.Concat(wrt).ToList(), _b);
    }

    /// <summary>The names a statement's expression reads (locals, arguments, loop variables), each once, in first-read order; no recursion.</summary>
    public static List<string> FreeNames(Expr root)
    {
        var names = new List<string>();
        var seen = new HashSet<string>();
        var pending = new Stack<Expr>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            switch (pending.Pop())
            {
                case NameRef name:
                    if (seen.Add(name.Name)) names.Add(name.Name);
                    break;
                case UnaryMinus minus:
                    pending.Push(minus.Operand);
                    break;
                case BinaryOperation binary:
                    pending.Push(binary.Right);
                    pending.Push(binary.Left);
                    break;
                case ArrayLiteral array:
                    for (var i = array.Items.Count - 1; i >= 0; i--) pending.Push(array.Items[i]);
                    break;
                case OpCall call:
                    for (var i = call.Arguments.Count - 1; i >= 0; i--) pending.Push(call.Arguments[i].Value);
                    break;
                case MethodCall call:
                    for (var i = call.Arguments.Count - 1; i >= 0; i--) pending.Push(call.Arguments[i]);
                    break;
            }
        }
        return names;
    }
}
