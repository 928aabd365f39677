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
            case "MseLoss":
                return new Value(_b.Make(Op.Mean, _b.Make(Op.Pow, _b.Sub(T(0), T(1)), _b.Constant(2))));
        }
        throw Fail(new DiagnosticInfo(Diagnostics.UnknownMethod, call.Where, "Ops." + call.Name));
    }

    private static bool IsOptionName(string name) => name is "axis" or "keepDims";

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
