using System.Collections.Generic;
using Differentiable.Generator.Calls;
using Differentiable.Generator.IR;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Lowering;

/// <summary>
/// The bodies of the package's own layers (<c>Differentiable.Nn</c> in <c>Differentiable.Runtime</c>), for device programs.
/// Metadata carries no method body, so a device program cannot inline a method of another assembly; but this generator
/// ships inside that package, in the same version as its runtime, so it knows these few bodies as it knows the Ops. The C#
/// path still calls the layers' exported pullbacks; the device program inlines the graph below, which is what the layer's
/// <c>[Differentiable] Forward</c> in <c>Runtime/Nn/</c> lowers to (<c>NnLayerTests</c> and the device parity checks keep the
/// two in step). Dropout is not here: its mask is drawn on the CPU.
/// </summary>
internal sealed partial class Lowerer
{
    public const string PackageAssembly = "Differentiable.Runtime";

    private static readonly HashSet<string> PackageLayerKeys = new()
    {
        "Differentiable.Nn.Linear.Forward", "Differentiable.Nn.Conv2d.Forward", "Differentiable.Nn.MaxPool2d.Forward",
        "Differentiable.Nn.AvgPool2d.Forward", "Differentiable.Nn.Flatten.Forward", "Differentiable.Nn.LayerNorm.Forward",
    };

    /// <summary>Whether a device program can inline this callee of another assembly: one of the package's layers.</summary>
    public static bool IsPackageLayer(CalleeSignature callee) =>
        callee.Assembly == PackageAssembly && PackageLayerKeys.Contains(callee.Key);

    /// <summary>The graph of a package layer's <c>Forward(x)</c> on the layer at <paramref name="receiver"/> (its members by path).</summary>
    private Value InlinePackageLayer(MethodCall call, CalleeSignature callee, List<Value> arguments, string? receiver)
    {
        var x = Tensor(arguments.Count > 0 ? arguments[0] : Value.Null, call.Where, callee.Name + " argument 1");
        var at = string.IsNullOrEmpty(receiver) ? "" : receiver + ".";
        Node result;
        switch (callee.Key)
        {
            case "Differentiable.Nn.Linear.Forward":
                // x.MatMul(W) + B
                result = _b.Add(_b.Make(Op.MatMul, x, _b.Leaf(Op.Parameter, at + "W")), _b.Leaf(Op.Parameter, at + "B"));
                break;
            case "Differentiable.Nn.Conv2d.Forward":
                // Ops.Conv2d(x, W, B)
                result = Conv2d(x, _b.Leaf(Op.Parameter, at + "W"), new Value(_b.Leaf(Op.Parameter, at + "B")),
                    new List<(string Name, Value Value, Expr Expr)>(), new OpCall("Conv2d", EquatableArray<NamedArgument>.Empty, call.Where));
                break;
            case "Differentiable.Nn.MaxPool2d.Forward" or "Differentiable.Nn.AvgPool2d.Forward":
                // Ops.MaxPool2d(x, Kernel, stride: Stride, padding: Padding), the window read from the layer when the program is built
                var window = new Window(at + "Kernel", at + "Stride", at + "Padding");
                result = _b.Make(callee.Key.EndsWith("MaxPool2d.Forward", System.StringComparison.Ordinal) ? Op.MaxPool2d : Op.AvgPool2d,
                    new NodeAttributes(Window: window), x);
                break;
            case "Differentiable.Nn.LayerNorm.Forward":
                // centered = x − Mean(x, axis: −1, keepDims: true); variance = Mean(centered * centered, axis: −1, keepDims: true);
                // centered / Sqrt(variance + Eps) * W + B
                var lastAxis = new NodeAttributes(Axis: -1, KeepDims: true);
                var centered = _b.Sub(x, _b.Make(Op.Mean, lastAxis, x));
                var variance = _b.Make(Op.Mean, lastAxis, _b.Mul(centered, centered));
                var normalized = _b.Make(Op.Div, centered, _b.Make(Op.Sqrt, _b.Add(variance, _b.ScalarRef(at + "Eps"))));
                result = _b.Add(_b.Mul(normalized, _b.Leaf(Op.Parameter, at + "W")), _b.Leaf(Op.Parameter, at + "B"));
                break;
            default:
                // Ops.Flatten(x)
                result = _b.Make(Op.Flatten, x);
                break;
        }
        _b.Hint(result, CallHint(call, callee.ClassFullName, ReceiverPrefix(receiver)));
        return new Value(result);
    }
}
