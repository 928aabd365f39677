using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.IR;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Lowering;

internal sealed partial class Lowerer
{
    private static readonly Dictionary<string, Op> Unary = new()
    {
        ["Neg"] = Op.Neg, ["Exp"] = Op.Exp, ["Log"] = Op.Log, ["Sqrt"] = Op.Sqrt, ["Abs"] = Op.Abs, ["Sin"] = Op.Sin, ["Cos"] = Op.Cos,
        ["Tanh"] = Op.Tanh, ["Sigmoid"] = Op.Sigmoid, ["Relu"] = Op.Relu, ["Transpose"] = Op.Transpose, ["Detach"] = Op.Detach,
        ["Sign"] = Op.Sign, ["Step"] = Op.Step,
    };

    private static readonly Dictionary<string, Op> Binary = new()
    {
        ["Add"] = Op.Add, ["Sub"] = Op.Sub, ["Mul"] = Op.Mul, ["Div"] = Op.Div, ["Maximum"] = Op.Maximum, ["Minimum"] = Op.Minimum, ["MatMul"] = Op.MatMul,
    };

    private static readonly Dictionary<string, Op> Reductions = new()
    {
        ["Sum"] = Op.Sum, ["Mean"] = Op.Mean, ["Max"] = Op.Max, ["LogSumExp"] = Op.LogSumExp,
    };

    /// <summary>One Ops call: a primitive, or a composite expanded into primitives (no precision is lost by any expansion here).</summary>
    private Value LowerOp(OpCall call, List<(string Name, Value Value, Expr Expr)> args)
    {
        Value Arg(int position, string name) =>
            args.FirstOrDefault(a => a.Name == name).Value ?? (position < args.Count && !IsOptionName(args[position].Name) ? args[position].Value : Value.Null);
        Node T(int position) => Tensor(Arg(position, "\0"), position < args.Count ? args[position].Expr.Where : call.Where, call.Name + " argument " + (position + 1));
        Node N(int position) => position < args.Count ? Numeric(args[position].Value, args[position].Expr) : throw Missing(call);
        Node Labels(int position) => position < args.Count && args[position].Value is { IsLabels: true, Node: { } labels } ? labels
            : throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, call.Where, call.Name, "Labels are expected as the second argument"));
        int? Axis(int position)
        {
            var value = Arg(position, "axis");
            if (value.IsNull) return null;
            return ConstantInt(value, args.FirstOrDefault(a => a.Name == "axis").Expr ?? args[position].Expr);
        }
        bool KeepDims(int position) => Arg(position, "keepDims").Bool ?? false;

        if (Unary.TryGetValue(call.Name, out var unary)) return new Value(_b.Make(unary, T(0)));
        if (Binary.TryGetValue(call.Name, out var binary))
            return new Value(binary == Op.MatMul ? _b.Make(binary, T(0), T(1)) : _b.Make(binary, N(0), N(1)));
        if (Reductions.TryGetValue(call.Name, out var reduction))
            return new Value(_b.Make(reduction, new NodeAttributes(Axis: Axis(1), KeepDims: KeepDims(2)), T(0)));

        switch (call.Name)
        {
            case "Pow":
                return new Value(_b.Make(Op.Pow, T(0), Scalar(args.Count > 1 ? args[1] : throw Missing(call))));
            case "ArgMax":
                return new Value(_b.Make(Op.ArgMax, new NodeAttributes(Axis: Axis(1)), T(0)));
            case "Reshape":
                var shape = args.Count > 1 ? args[1].Value.Ints : null;
                if (shape is null) throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, call.Where, call.Name, "the shape must be integers known at generation time"));
                return new Value(_b.Make(Op.Reshape, new NodeAttributes(Shape: new EquatableArray<int>(shape)), T(0)));
            case "Gather":
                return new Value(_b.Make(Op.Gather, T(0), Labels(1)));
            case "LogSoftmax":
                return new Value(LogSoftmax(T(0), Axis(1) ?? -1));
            case "Softmax":
                return new Value(_b.Make(Op.Exp, LogSoftmax(T(0), Axis(1) ?? -1)));
            case "NllLoss":
                return new Value(NllLoss(T(0), Labels(1)));
            case "CrossEntropy":
                return new Value(NllLoss(LogSoftmax(T(0), 1), Labels(1)));
            case "Conv2d":
                return new Value(Conv2d(T(0), T(1), Arg(2, "bias"), args, call));
            case "MaxPool2d" or "AvgPool2d":
                var kernel = WindowOption(args, "kernel", null, call);
                var window = new Window(kernel, WindowOption(args, "stride", kernel, call), WindowOption(args, "padding", "0", call));
                return new Value(_b.Make(call.Name == "MaxPool2d" ? Op.MaxPool2d : Op.AvgPool2d, new NodeAttributes(Window: window), T(0)));
            case "GlobalAvgPool2d":
                // The mean over W, then over H: (N, C, H, W) → (N, C), as Ops.GlobalAvgPool2d computes it.
                return new Value(_b.Make(Op.Mean, new NodeAttributes(Axis: 2), _b.Make(Op.Mean, new NodeAttributes(Axis: 3), T(0))));
            case "Flatten":
                return new Value(_b.Make(Op.Flatten, T(0)));
            case "DropoutMask":
                return new Value(_b.Make(Op.DropoutMask, T(0), N(1), N(2)));
            case "Concat":
                var joinedAxis = new NodeAttributes(Axis: IntOption(args, "axis", null, call));
                return new Value(args.Count > 0 && args[0].Value.Tensors is { } parts ? Concat(parts, joinedAxis) : _b.Make(Op.Concat, joinedAxis, T(0), T(1)));
            case "Norm":
                // ‖x‖ = √Σx²: its gradient x/‖x‖ comes from the Sqrt, Sum and Mul rules (the Sqrt row gradient-checks Norm).
                var normed = T(0);
                return new Value(_b.Make(Op.Sqrt, _b.Make(Op.Sum, _b.Mul(normed, normed))));
            case "MseLoss":
                return new Value(_b.Make(Op.Mean, _b.Make(Op.Pow, _b.Sub(T(0), T(1)), _b.Constant(2))));
        }
        throw Fail(new DiagnosticInfo(Diagnostics.UnknownMethod, call.Where, "Ops." + call.Name, "the generator has no derivative rule for it"));
    }

    /// <summary>The Ops functions and Tensor methods a body may call: the dictionaries above and the cases of <see cref="LowerOp"/>.</summary>
    private static readonly HashSet<string> Others = new()
    {
        "Pow", "ArgMax", "Reshape", "Gather", "LogSoftmax", "Softmax", "NllLoss", "CrossEntropy", "Conv2d", "MaxPool2d", "AvgPool2d",
        "GlobalAvgPool2d", "Flatten", "Concat", "MseLoss", "Norm", "DropoutMask",
    };

    /// <summary>Whether a call of <c>Ops.{name}</c> (or the Tensor method of that name) can be lowered; the parser asks before it accepts one.</summary>
    public static bool Supports(string name) =>
        Unary.ContainsKey(name) || Binary.ContainsKey(name) || Reductions.ContainsKey(name) || Others.Contains(name);

    private static bool IsOptionName(string name) => name is "axis" or "keepDims" or "bias" or "kernel" or "stride" or "padding";

    /// <summary>
    /// Conv2d(x, weight, bias, stride, padding): the convolution is one primitive with its stride and padding as
    /// its window; the optional bias (F) is a broadcast Add of bias reshaped to (F, 1, 1), as the runtime adds it.
    /// </summary>
    private Node Conv2d(Node x, Node weight, Value bias, List<(string Name, Value Value, Expr Expr)> args, OpCall call)
    {
        var window = new Window("0", WindowOption(args, "stride", "1", call), WindowOption(args, "padding", "0", call));
        var conv = _b.Make(Op.Conv2d, new NodeAttributes(Window: window), x, weight);
        if (bias.IsNull) return conv;
        var b = bias.Node is { IsScalar: false } node && !bias.IsLabels ? node
            : throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, call.Where, "Conv2d bias", "a tensor (or null) is expected here"));
        return _b.Add(conv, _b.Make(Op.Reshape, new NodeAttributes(Shape: new EquatableArray<int>(new[] { -1, 1, 1 })), b));
    }

    /// <summary>
    /// Concat([p1, p2, ..., pn], axis), torch.cat's n-ary form, as nested binary Concat nodes ((p1 ⧺ p2) ⧺ p3) ⧺ ...:
    /// its gradient is the binary rule's leading and trailing slices, applied in turn.
    /// </summary>
    private Node Concat(Node[] parts, NodeAttributes axis)
    {
        var joined = parts[0];
        for (var i = 1; i < parts.Length; i++) joined = _b.Make(Op.Concat, axis, joined, parts[i]);
        return joined;
    }

    /// <summary>
    /// A window size (kernel, stride, padding) passed by name, as the C# int it is rendered as: a generation-time constant,
    /// or an int member of the model or of a sub-module (<c>Kernel</c>, <c>Pool.Kernel</c>), read when the code runs, so that
    /// a layer can take its window in its constructor as torch.nn.MaxPool2d does; null passes for the fallback.
    /// </summary>
    private string WindowOption(List<(string Name, Value Value, Expr Expr)> args, string name, string? fallback, OpCall call)
    {
        var index = args.FindIndex(a => a.Name == name);
        if (index < 0 || args[index].Value.IsNull)
            return fallback ?? throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, call.Where, call.Name, $"the argument '{name}' is missing"));
        if (args[index].Value.IntMember is { } member) return member;
        if (args[index].Value.Node is { Op: Op.Constant } c && c.Attributes.Value == System.Math.Floor(c.Attributes.Value))
            return ((int)c.Attributes.Value).ToString(System.Globalization.CultureInfo.InvariantCulture);
        throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, args[index].Expr.Where, "this value",
            "a window size is an integer known at generation time (a literal, a constant or a loop variable) or an int field or property of the model or of a sub-module"));
    }

    /// <summary>An integer option passed by name (arguments are bound to parameter names): a generation-time constant; null passes for the fallback.</summary>
    private int IntOption(List<(string Name, Value Value, Expr Expr)> args, string name, int? fallback, OpCall call)
    {
        var index = args.FindIndex(a => a.Name == name);
        if (index < 0 || args[index].Value.IsNull)
            return fallback ?? throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, call.Where, call.Name, $"the argument '{name}' is missing"));
        return ConstantInt(args[index].Value, args[index].Expr);
    }

    /// <summary>log softmax(x) = x − logsumexp(x): the max-shifted logsumexp keeps it exact for large logits.</summary>
    private Node LogSoftmax(Node x, int axis) =>
        _b.Sub(x, _b.Make(Op.LogSumExp, new NodeAttributes(Axis: axis, KeepDims: true), x));

    /// <summary>The seed's −H[arange(n), y].mean().</summary>
    private Node NllLoss(Node logProbabilities, Node labels) =>
        _b.Neg(_b.Make(Op.Mean, _b.Make(Op.Gather, logProbabilities, labels)));

    private Node Scalar((string Name, Value Value, Expr Expr) arg) =>
        arg.Value.Node is { IsScalar: true } scalar ? scalar
            : throw Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, arg.Expr.Where, arg.Name, "a number is expected here"));

    private LoweringException Missing(OpCall call) =>
        Fail(new DiagnosticInfo(Diagnostics.UnsupportedExpression, call.Where, call.Name, "an argument is missing"));
}
