using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.IR;
using static Differentiable.Generator.Rules.DeviceLowering;

namespace Differentiable.Generator.Rules;

/// <summary>
/// THE rule table: one entry per primitive op — its runtime function, its math, and its derivative as a
/// one-line rule over graph nodes (micrograd's "local derivative times upstream", JAX's transpose table).
/// Adding a primitive means adding a row here; the table-driven test then gradient-checks it on its own.
/// </summary>
internal static class RuleTable
{
    private static readonly int[] M = { 3, 4 };
    private static readonly InputDomain[] PositiveFirst = { InputDomain.Positive };
    private static readonly InputDomain[] PositiveSecond = { InputDomain.Normal, InputDomain.Positive };

    private static GradCheckCase[] Check(string expression, params int[][] shapes) =>
        new[] { new GradCheckCase(expression, shapes) };

    public static readonly IReadOnlyList<Rule> All = new Rule[]
    {
        new(Op.Input, GradientKind.Leaf, "", "{0}",
            device: External),
        new(Op.Parameter, GradientKind.Leaf, "", "{0}",
            device: External),
        new(Op.ConstantTensor, GradientKind.Leaf, "", "{0}",
            device: Unsupported("it reads the tensor member {text}, which is not a [Parameter]")),
        new(Op.Constant, GradientKind.Leaf, "", "{0}",
            device: DeviceLowering.Scalar),
        new(Op.ScalarRef, GradientKind.Leaf, "", "{0}",
            device: DeviceLowering.Scalar),
        new(Op.AdjointRef, GradientKind.Leaf, "", "{0}"),

        new(Op.Add, GradientKind.Rule, "Add", "{0} + {1}",
            backward: (y, dy, b) => new[] { Unbroadcast(b, y, dy, y[0]), Unbroadcast(b, y, dy, y[1]) },
            adjointMath: new[] { "{dy}", "{dy}" },
            checks: new[]
            {
                new GradCheckCase("Add(a, b)", new[] { M, new[] { 4 } }),
                new GradCheckCase("Add(a, 2.5)", new[] { M }),
            },
            device: Elementwise("({0} + {1})")),
        new(Op.Sub, GradientKind.Rule, "Sub", "{0} − {1}",
            backward: (y, dy, b) => new[] { Unbroadcast(b, y, dy, y[0]), Unbroadcast(b, y, b.Neg(dy), y[1]) },
            adjointMath: new[] { "{dy}", "−{dy}" },
            checks: new[]
            {
                new GradCheckCase("Sub(a, b)", new[] { M, new[] { 3, 1 } }),
                new GradCheckCase("Sub(1.5, a)", new[] { M }),
            },
            device: Elementwise("({0} - {1})")),
        new(Op.Mul, GradientKind.Rule, "Mul", "{0} ⊙ {1}",
            backward: (y, dy, b) => new[]
            {
                Unbroadcast(b, y, b.Mul(dy, y[1]), y[0]),
                Unbroadcast(b, y, b.Mul(dy, y[0]), y[1]),
            },
            adjointMath: new[] { "{dy} ⊙ {1}", "{dy} ⊙ {0}" },
            checks: new[]
            {
                new GradCheckCase("Mul(a, b)", new[] { M, new[] { 1, 4 } }),
                new GradCheckCase("Mul(a, 3.0)", new[] { M }),
            },
            device: Elementwise("({0} * {1})")),
        new(Op.Div, GradientKind.Rule, "Div", "{0} / {1}",
            backward: (y, dy, b) => new[]
            {
                Unbroadcast(b, y, b.Div(dy, y[1]), y[0]),
                Unbroadcast(b, y, b.Neg(b.Div(b.Mul(dy, y), y[1])), y[1]),
            },
            adjointMath: new[] { "{dy} / {1}", "−{dy} ⊙ {y} / {1}" },
            checks: new[]
            {
                new GradCheckCase("Div(a, b)", new[] { M, M }, PositiveSecond),
                new GradCheckCase("Div(2.0, a)", new[] { M }, PositiveFirst),
            },
            device: Elementwise("({0} / {1})")),
        new(Op.Maximum, GradientKind.Rule, "Maximum", "max({0}, {1})",
            backward: (y, dy, b) => new[]
            {
                Unbroadcast(b, y, b.Mul(dy, b.Make(Op.GreaterMask, y[0], y[1])), y[0]),
                Unbroadcast(b, y, b.Mul(dy, b.Make(Op.GreaterMask, y[1], y[0])), y[1]),
            },
            adjointMath: new[] { "{dy} ⊙ [{0} > {1}]", "{dy} ⊙ [{1} > {0}]" },
            checks: Check("Maximum(a, b)", M, new[] { 4 }), device: Elementwise("fmaxf({0}, {1})")),
        new(Op.Minimum, GradientKind.Rule, "Minimum", "min({0}, {1})",
            backward: (y, dy, b) => new[]
            {
                Unbroadcast(b, y, b.Mul(dy, b.Make(Op.GreaterMask, y[1], y[0])), y[0]),
                Unbroadcast(b, y, b.Mul(dy, b.Make(Op.GreaterMask, y[0], y[1])), y[1]),
            },
            adjointMath: new[] { "{dy} ⊙ [{0} < {1}]", "{dy} ⊙ [{1} < {0}]" }, checks: Check("Minimum(a, b)", M, M),
            device: Elementwise("fminf({0}, {1})")),
        new(Op.Pow, GradientKind.Rule, "Pow", "{0}^{1}",
            backward: (y, dy, b) => new[]
            {
                b.Mul(b.Mul(dy, y[1]), b.Make(Op.Pow, y[0], b.Sub(y[1], b.Constant(1)))),
                null,
            },
            adjointMath: new[] { "{dy} ⊙ {1}·{0}^({1}−1)" },
            checks: new[]
            {
                new GradCheckCase("Pow(a, 3.0)", new[] { M }),
                new GradCheckCase("Pow(a, 1.5)", new[] { M }, PositiveFirst),
            },
            device: Elementwise("powf({0}, {1})")),
        new(Op.Neg, GradientKind.Rule, "Neg", "−{0}",
            backward: (y, dy, b) => new[] { b.Neg(dy) }, adjointMath: new[] { "−{dy}" }, checks: Check("Neg(a)", M),
            device: Elementwise("(-{0})")),
        new(Op.Exp, GradientKind.Rule, "Exp", "exp({0})",
            backward: (y, dy, b) => new[] { b.Mul(dy, y) }, adjointMath: new[] { "{dy} ⊙ {y}" },
            checks: Check("Exp(a)", M), device: Elementwise("expf({0})")),
        new(Op.Log, GradientKind.Rule, "Log", "log({0})",
            backward: (y, dy, b) => new[] { b.Div(dy, y[0]) }, adjointMath: new[] { "{dy} / {0}" },
            checks: new[]
            {
                new GradCheckCase("Log(a)", new[] { M }, PositiveFirst),
            }, device: Elementwise("logf({0})")),
        new(Op.Sqrt, GradientKind.Rule, "Sqrt", "√{0}",
            backward: (y, dy, b) => new[] { b.Div(dy, b.Mul(b.Constant(2), y)) },
            adjointMath: new[] { "{dy} / (2·{y})" },
            checks: new[] { new GradCheckCase("Sqrt(a)", new[] { M }, PositiveFirst), new GradCheckCase("Norm(a)", new[] { M }) },
            device: Elementwise("sqrtf({0})")),
        new(Op.Abs, GradientKind.Rule, "Abs", "|{0}|",
            backward: (y, dy, b) => new[] { b.Mul(dy, b.Make(Op.Sign, y[0])) },
            adjointMath: new[] { "{dy} ⊙ sign({0})" }, checks: Check("Abs(a)", M), device: Elementwise("fabsf({0})")),
        new(Op.Sin, GradientKind.Rule, "Sin", "sin({0})",
            backward: (y, dy, b) => new[] { b.Mul(dy, b.Make(Op.Cos, y[0])) }, adjointMath: new[] { "{dy} ⊙ cos({0})" },
            checks: Check("Sin(a)", M), device: Elementwise("sinf({0})")),
        new(Op.Cos, GradientKind.Rule, "Cos", "cos({0})",
            backward: (y, dy, b) => new[] { b.Neg(b.Mul(dy, b.Make(Op.Sin, y[0]))) },
            adjointMath: new[] { "−{dy} ⊙ sin({0})" }, checks: Check("Cos(a)", M), device: Elementwise("cosf({0})")),
        new(Op.Tanh, GradientKind.Rule, "Tanh", "tanh({0})",
            backward: (y, dy, b) => new[] { b.Mul(dy, b.Sub(b.Constant(1), b.Mul(y, y))) },
            adjointMath: new[] { "{dy} ⊙ (1 − {y}²)" }, checks: Check("Tanh(a)", M), device: Elementwise("tanhf({0})")),
        new(Op.Sigmoid, GradientKind.Rule, "Sigmoid", "σ({0})",
            backward: (y, dy, b) => new[] { b.Mul(dy, b.Mul(y, b.Sub(b.Constant(1), y))) },
            adjointMath: new[] { "{dy} ⊙ {y} ⊙ (1 − {y})" }, checks: Check("Sigmoid(a)", M),
            device: Elementwise("(1.0f / (1.0f + expf(-{0})))")),
        // The mask reads relu's output ([relu(x) > 0] = [x > 0]), not its input: the pre-activation then has no use
        // after the forward pass, so the device fuses it into relu's kernel and neither path keeps it for the backward.
        new(Op.Relu, GradientKind.Rule, "Relu", "relu({0})",
            // One op, one pass (ReluGradient): no mask tensor made and multiplied on the CPU.
            backward: (y, dy, b) => new[] { b.Make(Op.ReluGradient, dy, y) }, adjointMath: new[] { "{dy} ⊙ [{y} > 0]" },
            // fmaxf(x, 0) is x > 0 ? x : 0, NaN included (fmaxf returns the number), with x written once.
            checks: Check("Relu(a)", M), device: Elementwise("fmaxf({0}, 0.0f)")),

        new(Op.MatMul, GradientKind.Rule, "MatMul", "{0} · {1}",
            backward: (y, dy, b) => new[]
            {
                b.Make(Op.MatMulTransposeB, dy, y[1]),
                b.Make(Op.MatMulTransposeA, y[0], dy),
            },
            adjointMath: new[] { "{dy} · {1}ᵀ", "{0}ᵀ · {dy}" }, checks: Check("MatMul(a, b)", M, new[] { 4, 5 }),
            device: Product("{0}, {1}")),
        new(Op.Transpose, GradientKind.Rule, "Transpose", "{0}ᵀ",
            backward: (y, dy, b) => new[] { b.Make(Op.Transpose, dy) }, adjointMath: new[] { "{dy}ᵀ" },
            checks: Check("Transpose(a)", M), device: View("p.Transpose({0})")),
        new(Op.Reshape, GradientKind.Rule, "Reshape", "reshape({0})",
            backward: (y, dy, b) => new[] { b.Make(Op.ReshapeLike, dy, y[0]) },
            adjointMath: new[] { "reshape({dy}) to {0}'s shape" }, checks: Check("Reshape(a, 2, 6)", M),
            render: Renderings.Reshape, device: View("p.Reshape({0}{, shape})")),

        new(Op.Conv2d, GradientKind.Rule, "Conv2d", "conv2d({0}, {1})",
            backward: (y, dy, b) => new[]
            {
                b.Make(Op.Conv2dInputGradient, y.Attributes, dy, y[1], y[0]),
                b.Make(Op.Conv2dWeightGradient, y.Attributes, dy, y[0], y[1]),
            },
            adjointMath: new[] { "conv_transpose2d({dy}, {1})", "the correlation of {0} with {dy}" },
            checks: new[]
            {
                new GradCheckCase("Conv2d(a, b, stride: 2, padding: 1)", new[] { new[] { 2, 3, 5, 5 }, new[] { 4, 3, 3, 3 } }),
                new GradCheckCase("Conv2d(a, b, c, padding: 1)",
                    new[] { new[] { 1, 2, 4, 4 }, new[] { 3, 2, 3, 3 }, new[] { 3 } }),
                new GradCheckCase("Conv2d(a, b)", new[] { new[] { 2, 1, 4, 5 }, new[] { 2, 1, 2, 3 } }),
            },
            render: Renderings.Convolution, device: Kernel("p.Conv2d({name}, {inputs}, {stride}, {padding})")),
        new(Op.MaxPool2d, GradientKind.Rule, "MaxPool2d", "maxpool2d({0})",
            backward: (y, dy, b) => new[] { b.Make(Op.MaxPool2dBackward, y.Attributes, dy, y[0]) },
            adjointMath: new[] { "{dy} routed to the first maximum of each window of {0}" },
            checks: new[]
            {
                new GradCheckCase("MaxPool2d(a, 2)", new[] { new[] { 2, 2, 4, 4 } }),
                new GradCheckCase("MaxPool2d(a, 3, stride: 2, padding: 1)", new[] { new[] { 1, 2, 5, 5 } }),
            },
            render: Renderings.Pool, device: Kernel("p.MaxPool2d({name}, {inputs}, {kernel}, {stride}, {padding})")),
        new(Op.AvgPool2d, GradientKind.Rule, "AvgPool2d", "avgpool2d({0})",
            backward: (y, dy, b) => new[] { b.Make(Op.AvgPool2dBackward, y.Attributes, dy, y[0]) },
            adjointMath: new[] { "{dy} shared evenly over each window of {0}" },
            checks: new[]
            {
                new GradCheckCase("AvgPool2d(a, 2)", new[] { new[] { 2, 2, 4, 4 } }),
                new GradCheckCase("AvgPool2d(a, 3, stride: 2, padding: 1)", new[] { new[] { 1, 2, 5, 5 } }),
            },
            render: Renderings.Pool, device: Kernel("p.AvgPool2d({name}, {inputs}, {kernel}, {stride}, {padding})")),
        new(Op.Flatten, GradientKind.Rule, "Flatten", "flatten({0})",
            backward: (y, dy, b) => new[] { b.Make(Op.ReshapeLike, dy, y[0]) },
            adjointMath: new[] { "reshape({dy}) to {0}'s shape" }, checks: Check("Flatten(a)", new[] { 2, 3, 2, 2 }),
            device: View("p.Flatten({0})")),
        new(Op.Concat, GradientKind.Rule, "Concat", "concat{axis}({0}, {1})",
            backward: (y, dy, b) => new[]
            {
                b.Make(Op.SliceLike, y.Attributes, dy, y[0]),
                b.Make(Op.SliceLike, y.Attributes with { FromEnd = true }, dy, y[1]),
            },
            adjointMath: new[]
            {
                "the leading part of {dy} along the axis",
                "the trailing part of {dy} along the axis",
            },
            checks: new[]
            {
                new GradCheckCase("Concat(a, b, axis: 1)", new[] { new[] { 2, 3, 2 }, new[] { 2, 1, 2 } }),
                new GradCheckCase("Concat(a, b, -1)", new[] { M, new[] { 3, 2 } }),
                new GradCheckCase("Concat([a, b, c, d], axis: 1)", new[] { new[] { 2, 1, 2, 2 }, new[] { 2, 2, 2, 2 }, new[] { 2, 1, 2, 2 }, new[] { 2, 3, 2, 2 } }),
            },
            render: Renderings.WithAxis, device: Kernel("p.Concat({name}, {0}, {1}, {axis|0})")),

        new(Op.Sum, GradientKind.Rule, "Sum", "Σ{axis} {0}",
            backward: (y, dy, b) => new[] { b.Make(Op.ExpandAlong, y.Attributes, dy, y[0]) },
            adjointMath: new[] { "{dy} expanded to the shape of {0}" },
            checks: new[]
            {
                new GradCheckCase("Sum(a, axis: 1)", new[] { M }),
                new GradCheckCase("Sum(a)", new[] { M }),
            },
            render: Renderings.Reduction, device: Kernel("p.Sum({name}, {0}, {axis}, {keepDims})")),
        new(Op.Mean, GradientKind.Rule, "Mean", "mean{axis} {0}",
            backward: (y, dy, b) => new[] { b.Make(Op.ExpandMeanAlong, y.Attributes, dy, y[0]) },
            adjointMath: new[] { "{dy} / n expanded to the shape of {0}" },
            checks: new[]
            {
                new GradCheckCase("Mean(a, axis: 0, keepDims: true)", new[] { M }),
                new GradCheckCase("Mean(a)", new[] { M }),
            },
            render: Renderings.Reduction, device: Kernel("p.Mean({name}, {0}, {axis}, {keepDims})")),
        new(Op.Max, GradientKind.Rule, "Max", "max{axis} {0}",
            backward: (y, dy, b) => new[]
            {
                b.Mul(b.Make(Op.ExpandAlong, y.Attributes, dy, y[0]), b.Make(Op.MaxMask, y.Attributes, y[0], y)),
            },
            adjointMath: new[] { "{dy} at the maxima of {0}, shared among ties" },
            checks: new[]
            {
                new GradCheckCase("Max(a, axis: 1)", new[] { M }),
                new GradCheckCase("Max(a, axis: -2, keepDims: true)", new[] { M }),
            },
            render: Renderings.Reduction, device: Unsupported("Max along an axis has no device kernel for its gradient")),
        new(Op.LogSumExp, GradientKind.Rule, "LogSumExp", "log Σ{axis} exp({0})",
            backward: (y, dy, b) => new[]
            {
                b.Mul(b.Make(Op.ExpandAlong, y.Attributes, dy, y[0]),
                    b.Make(Op.Exp, b.Sub(y[0], b.Make(Op.ExpandAlong, y.Attributes, y, y[0])))),
            },
            adjointMath: new[] { "{dy} ⊙ exp({0} − {y}) = {dy} ⊙ softmax({0})" },
            checks: new[]
            {
                new GradCheckCase("LogSumExp(a, axis: 1)", new[] { M }),
                new GradCheckCase("LogSumExp(a)", new[] { M }),
            },
            render: Renderings.Reduction, device: Kernel("p.LogSumExp({name}, {0}, {axis}, {keepDims})")),
        new(Op.ArgMax, GradientKind.Zero, "ArgMax", "argmax{axis} {0}",
            render: Renderings.WithAxis, device: Unsupported("ArgMax has no device kernel")),

        new(Op.Gather, GradientKind.Rule, "Gather", "{0}[i, {1}ᵢ]",
            backward: (y, dy, b) => new[] { b.Make(Op.ScatterLabels, dy, y[1], y[0]), null },
            adjointMath: new[] { "{dy} scattered to [i, {1}ᵢ]" },
            checks: new[] { new GradCheckCase("Gather(a, y)", new[] { M }, UsesLabels: true) },
            device: Kernel("p.Gather({name}, {0}, {1})")),
        new(Op.Detach, GradientKind.Zero, "Detach", "stop_gradient({0})",
            device: Elementwise("{0}")),
        // Dropout's mask is data, drawn from its seed: x ⊙ mask differentiates by the Mul rule, the mask itself has no gradient.
        new(Op.DropoutMask, GradientKind.Zero, "DropoutMask", "mask_{1}({0}; seed {2})",
            device: Unsupported("dropout masks are drawn on the CPU (DropoutMask)")),
        new(Op.CustomCall, GradientKind.Rule, "", "{0}",
            backward: CustomBackward, adjointMath: new[] { "{backward}" }, render: Renderings.CustomForward,
            device: Unsupported(HandWrittenBackward)),
        // A call's gradient comes from the callee's own generated pullback; the call node itself carries no gradient.
        new(Op.Call, GradientKind.Zero, "Vjp", "{call}",
            render: Renderings.MethodCall),
        new(Op.CallValue, GradientKind.Rule, "Value", "{0}",
            backward: CallPullback, adjointMath: new[] { "{pullback}" }, render: Renderings.CallValue),

        new(Op.Sign, GradientKind.Zero, "Sign", "sign({0})",
            device: Elementwise("(float)(({0} > 0.0f) - ({0} < 0.0f))")),
        new(Op.Step, GradientKind.Zero, "Step", "[{0} > 0]",
            device: Elementwise("({0} > 0.0f ? 1.0f : 0.0f)")),
        // dy where y > 0, else 0 (NaN and infinite dy included, as PyTorch's threshold_backward): Relu's gradient.
        new(Op.ReluGradient, GradientKind.BackwardOnly, "ReluGradient", "{0} ⊙ [{1} > 0]",
            device: Elementwise("({1} > 0.0f ? {0} : 0.0f)")),
        new(Op.GreaterMask, GradientKind.BackwardOnly, "GreaterMask", "[{0} > {1}]",
            device: Elementwise("({0} > {1} ? 1.0f : 0.0f)")),
        new(Op.MaxMask, GradientKind.BackwardOnly, "MaxMask", "[{0} = {1}]",
            render: Renderings.ReductionAdjoint,
            device: Unsupported("Max along an axis has no device kernel for its gradient")),
        new(Op.SumToShapeOf, GradientKind.BackwardOnly, "SumToShapeOf", "{0} summed to the shape of {1}",
            device: Kernel("p.SumTo({name}, {0}, {1})", shapeOnly: 1)),
        new(Op.ExpandAlong, GradientKind.BackwardOnly, "ExpandAlong", "{0} expanded to the shape of {1}",
            render: Renderings.ReductionAdjoint, device: Broadcasting("p.Expand({0}, {1}, {axis}, {keepDims})")),
        new(Op.ExpandMeanAlong, GradientKind.BackwardOnly, "ExpandMeanAlong", "{0} / n expanded to the shape of {1}",
            render: Renderings.ReductionAdjoint,
            device: Broadcasting("p.Expand({0}, {1}, {axis}, {keepDims})", scale: "p.MeanScale({1}, {axis})")),
        new(Op.ReshapeLike, GradientKind.BackwardOnly, "ReshapeLike", "reshape({0})",
            device: View("p.ReshapeLike({0}, {1})", shapeOnly: 1)),
        new(Op.ScatterLabels, GradientKind.BackwardOnly, "ScatterLabels", "scatter({0})",
            device: Kernel("p.ScatterLabels({name}, {0}, {1}, {2})", shapeOnly: 2)),
        new(Op.MatMulTransposeA, GradientKind.BackwardOnly, "MatMulTransposeA", "{0}ᵀ · {1}",
            device: Product("p.Transpose({0}), {1}")),
        new(Op.MatMulTransposeB, GradientKind.BackwardOnly, "MatMulTransposeB", "{0} · {1}ᵀ",
            device: Product("{0}, p.Transpose({1})")),
        new(Op.Conv2dInputGradient, GradientKind.BackwardOnly, "Conv2dInputGradient", "conv_transpose2d({0}, {1})",
            render: Renderings.Convolution, device: Kernel("p.Conv2dInputGradient({name}, {inputs}, {stride}, {padding})")),
        new(Op.Conv2dWeightGradient, GradientKind.BackwardOnly, "Conv2dWeightGradient", "{1} correlated with {0}",
            render: Renderings.Convolution, device: Kernel("p.Conv2dWeightGradient({name}, {inputs}, {stride}, {padding})")),
        new(Op.MaxPool2dBackward, GradientKind.BackwardOnly, "MaxPool2dBackward", "{0} routed to the maxima of {1}",
            render: Renderings.Pool, device: Kernel("p.MaxPool2dBackward({name}, {inputs}, {kernel}, {stride}, {padding})")),
        new(Op.AvgPool2dBackward, GradientKind.BackwardOnly, "AvgPool2dBackward", "{0} spread over the windows of {1}",
            render: Renderings.Pool, device: Kernel("p.AvgPool2dBackward({name}, {inputs}, {kernel}, {stride}, {padding})")),
        new(Op.SliceLike, GradientKind.BackwardOnly, "SliceLike", "the part of {0} shaped like {1}",
            render: Renderings.Slice, device: View("p.Slice({0}, {1}, {axis}, {fromEnd})", shapeOnly: 1)),
        new(Op.Seed, GradientKind.BackwardOnly, "Seed", "1",
            device: Elementwise("1.0f", shapeOnly: 0)),
        new(Op.CustomBackward, GradientKind.BackwardOnly, "", "custom backward",
            render: Renderings.CustomBackward, device: Unsupported(HandWrittenBackward)),
        new(Op.TupleItem, GradientKind.BackwardOnly, "", "{0}",
            render: Renderings.TupleItem, device: Unsupported(HandWrittenBackward)),
        new(Op.CallPullback, GradientKind.BackwardOnly, "Pullback", "pullback",
            render: Renderings.CallPullback),
        new(Op.CallGradient, GradientKind.BackwardOnly, "", "{0}",
            render: Renderings.CallGradient),
    };

    private const string HandWrittenBackward = "it calls a method with a hand-written C# backward, which cannot run on the device";

    /// <summary>The rules indexed by op: every node of every walk looks its op up here.</summary>
    private static readonly Rule[] ByOp = IndexByOp(All);

    public static Rule For(Op op) => (int)op >= 0 && (int)op < ByOp.Length && ByOp[(int)op] is { } rule ? rule : throw new KeyNotFoundException($"no rule for {op}");

    private static Rule[] IndexByOp(IEnumerable<Rule> rules)
    {
        var list = rules.ToList();
        var table = new Rule[list.Max(r => (int)r.Op) + 1];
        foreach (var rule in list)
        {
            if (table[(int)rule.Op] is not null) throw new System.InvalidOperationException($"two rules for {rule.Op}");
            table[(int)rule.Op] = rule;
        }
        return table;
    }

    /// <summary>
    /// The adjoint of a broadcast operand is summed back to the operand's shape; a number operand gets no
    /// adjoint at all, and an operand that certainly has the result <paramref name="y"/>'s shape gets the contribution
    /// as it is (<see cref="BroadcastShapes"/>). Otherwise the runtime returns the same tensor when no axis was broadcast.
    /// </summary>
    private static Node? Unbroadcast(GraphBuilder b, Node y, Node gradient, Node operand) =>
        operand.IsScalar ? null : b.Shapes.Same(y, operand) ? gradient : b.Make(Op.SumToShapeOf, gradient, operand);

    /// <summary>The callee's pullback, applied once to the call's adjoint, gives the gradient of each input after the call.</summary>
    private static Node?[] CallPullback(Node y, Node dy, GraphBuilder b)
    {
        var pullback = b.Make(Op.CallPullback, y[0], dy);
        var result = new Node?[y.Inputs.Length];
        for (var i = 1; i < y.Inputs.Length; i++)
            result[i] = b.Make(Op.CallGradient, new NodeAttributes(Text: y.Attributes.Names[i - 1]), pullback);
        return result;
    }

    /// <summary>The user's backward returns one gradient (one input) or a tuple with one per input.</summary>
    private static Node?[] CustomBackward(Node y, Node dy, GraphBuilder b)
    {
        var backward = b.Make(Op.CustomBackward, y.Attributes, y.Inputs.Add(dy).ToArray());
        if (y.Inputs.Length == 1) return new[] { backward };
        return y.Inputs.Select((_, i) => (Node?)b.Make(Op.TupleItem, new NodeAttributes(Axis: i + 1), backward)).ToArray();
    }
}
