using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Calls;
using Differentiable.Generator.IR;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Lowering;

internal sealed partial class Lowerer
{
    /// <summary>
    /// A call kept a call: <c>Call</c> runs the callee's generated forward-with-pullback (the variant that differentiates
    /// the arguments this call may need), and <c>CallValue</c> is its value, whose rule asks the pullback for the
    /// gradients of those arguments and of the parameters the callee reaches (by this method's paths: <c>L1.W</c>).
    /// </summary>
    private Value Call(MethodCall call, List<Value> arguments)
    {
        if (!_request.Signatures.TryGetValue(call.CalleeKey, out var callee))
            throw Fail(new DiagnosticInfo(Diagnostics.UnknownMethod, call.Where, call.CalleeName, "its [Differentiable] declaration was not found in this compilation"));
        if (!callee.IsValid) throw new LoweringException();   // already reported at the callee
        if (arguments.Count != callee.Arguments.Count)
            throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, call.Where, call.CalleeName, "pass every argument explicitly"));

        var inputs = new Node[arguments.Count];
        var casts = new string[arguments.Count];
        for (var i = 0; i < arguments.Count; i++)
        {
            var where = call.Arguments[i].Where;
            var name = callee.Arguments[i].Name;
            switch (callee.Arguments[i].Kind)
            {
                case ArgumentKind.Tensor:
                    if (arguments[i].IsNull)
                        throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, where, "null", $"{callee.Name} needs a tensor for its argument '{name}'"));
                    inputs[i] = Tensor(arguments[i], where, name);
                    casts[i] = "";
                    break;
                case ArgumentKind.Labels:
                    inputs[i] = arguments[i] is { IsLabels: true, Node: { } labels } ? labels
                        : throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, where, name, "labels are expected here"));
                    casts[i] = "";
                    break;
                default:
                    inputs[i] = Numeric(arguments[i], call.Arguments[i]) is { IsScalar: true } number ? number
                        : throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, where, name, "a number is expected here"));
                    casts[i] = callee.Arguments[i].TypeName;
                    break;
            }
        }
        if (callee.CustomBackward is not null)
        {
            var custom = _b.Make(Op.CustomCall, CustomMethods(callee.ClassFullName, callee.Name, callee.CustomBackward), inputs);
            _b.Hint(custom, CallHint(call, callee.ClassFullName, ReceiverPrefix(call.ReceiverPath)));
            return new Value(custom);
        }

        var site = _request.Sites.TryGetValue(call.Where, out var found) ? found : null;
        var mask = site is null ? ulong.MaxValue : CallMasks.ForCall(site, _request.ArgumentMask, callee);
        var target = call.ReceiverPath switch
        {
            null => "global::" + callee.ClassFullName + ".",
            "" => "",
            var path => path + ".",
        };
        var callNode = _b.Make(Op.Call, new NodeAttributes(Text: target + callee.VjpName(mask), Names: new EquatableArray<string>(casts)), inputs);

        // The value's inputs after the call: the arguments differentiated by that variant, then the callee's parameters.
        var (argumentNames, parameterNames) = callee.GradientNames();
        var differentiated = new List<Node> { callNode };
        var names = new List<string>();
        foreach (var i in callee.TensorPositions())
        {
            if ((mask & CallMasks.Bit(i)) == 0) continue;
            differentiated.Add(inputs[i]);
            names.Add(argumentNames[i]);
        }
        var prefix = string.IsNullOrEmpty(call.ReceiverPath) ? "" : call.ReceiverPath + ".";
        if (!callee.IsStatic)
            foreach (var path in callee.ReachedParameters)
            {
                differentiated.Add(_b.Leaf(Op.Parameter, prefix + path));
                names.Add(parameterNames[path]);
            }
        var value = _b.Make(Op.CallValue, new NodeAttributes(Names: new EquatableArray<string>(names)), differentiated.ToArray());
        _b.Hint(value, CallHint(call, callee.ClassFullName, ReceiverPrefix(call.ReceiverPath)));
        return new Value(value);
    }

    /// <summary>The name a call's result takes when the user gives it none: <c>tunedSin_apply</c>, <c>forward</c>, <c>L1_forward</c>.</summary>
    private string CallHint(MethodCall call, string classFullName, string receiverPrefix)
    {
        // A static method of another class is named with its class (tunedSin_apply); of this class, by itself.
        if (call.ReceiverPath is null && classFullName != _request.Method.Class.FullName)
            return Camel(classFullName.Substring(classFullName.LastIndexOf('.') + 1)) + "_" + Camel(call.CalleeName);
        return receiverPrefix + Camel(call.CalleeName);
    }

    private static string ReceiverPrefix(string? receiver) => string.IsNullOrEmpty(receiver) ? "" : receiver!.Replace('.', '_') + "_";

    /// <summary>A call with a hand-written backward: its forward and backward methods, qualified.</summary>
    private static NodeAttributes CustomMethods(string classFullName, string name, string backward)
    {
        var owner = "global::" + classFullName + ".";
        return new NodeAttributes(Names: new EquatableArray<string>(new[] { owner + name, owner + backward }));
    }
}
