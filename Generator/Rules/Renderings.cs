using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Differentiable.Generator.IR;

namespace Differentiable.Generator.Rules;

/// <summary>How a node is written as a C# call: the rule's runtime function, the rendered inputs, then the op's options.</summary>
internal delegate string Rendering(string function, Node node, IReadOnlyList<string> inputs);

/// <summary>
/// The C# renderings rule-table rows refer to. Most ops are a plain call; ops with attributes (axes, shapes,
/// strides) add them as named arguments, leaving out the runtime's defaults so the code reads like hand-written code.
/// </summary>
internal static class Renderings
{
    public static string Plain(string function, Node node, IReadOnlyList<string> inputs) => Call(function, inputs);

    /// <summary><c>Sum(x, axis: 1, keepDims: true)</c>; nothing for "all axes" and keepDims false.</summary>
    public static string Reduction(string function, Node node, IReadOnlyList<string> inputs) =>
        Call(function, inputs, (node.Attributes.Axis is null ? "" : ", axis: " + Axis(node)) + (node.Attributes.KeepDims ? ", keepDims: true" : ""));

    /// <summary>The backward helpers of reductions take axis and keepDims explicitly (no defaults).</summary>
    public static string ReductionAdjoint(string function, Node node, IReadOnlyList<string> inputs) =>
        Call(function, inputs, $", axis: {Axis(node)}, keepDims: {(node.Attributes.KeepDims ? "true" : "false")}");

    public static string WithAxis(string function, Node node, IReadOnlyList<string> inputs) =>
        Call(function, inputs, node.Attributes.Axis is null ? "" : ", axis: " + Axis(node));

    /// <summary><c>Reshape(x, 2, -1)</c>: the target shape as the params array.</summary>
    public static string Reshape(string function, Node node, IReadOnlyList<string> inputs) =>
        Call(function, inputs, string.Concat(node.Attributes.Shape.Select(s => ", " + Int(s))));

    /// <summary>A convolution's stride and padding, where they are not the defaults.</summary>
    public static string Convolution(string function, Node node, IReadOnlyList<string> inputs) =>
        Call(function, inputs, Option("stride", node.Attributes.Window.Stride, "1") + Option("padding", node.Attributes.Window.Padding, "0"));

    /// <summary>A pool's kernel, and its stride and padding where they are not the defaults (the stride defaults to the kernel).</summary>
    public static string Pool(string function, Node node, IReadOnlyList<string> inputs)
    {
        var window = node.Attributes.Window;
        return Call(function, inputs, ", kernel: " + window.Kernel + Option("stride", window.Stride, window.Kernel) + Option("padding", window.Padding, "0"));
    }

    /// <summary>The slice of a concatenation's adjoint, from its start or its end.</summary>
    public static string Slice(string function, Node node, IReadOnlyList<string> inputs) =>
        Call(function, inputs, $", axis: {Axis(node)}" + (node.Attributes.FromEnd ? ", fromEnd: true" : ""));

    /// <summary>A call of the user's [Differentiable] method with a hand-written backward.</summary>
    public static string CustomForward(string function, Node node, IReadOnlyList<string> inputs) => Call(CustomMethod(node, 0), inputs);

    /// <summary>A call of the user's hand-written backward: the inputs, then the upstream gradient.</summary>
    public static string CustomBackward(string function, Node node, IReadOnlyList<string> inputs) => Call(CustomMethod(node, 1), inputs);

    /// <summary>One gradient out of the tuple a hand-written backward returns.</summary>
    public static string TupleItem(string function, Node node, IReadOnlyList<string> inputs) => $"{inputs[0]}.Item{Axis(node)}";

    /// <summary>The qualified name of the user's forward (0) or backward (1) method of a custom-gradient node.</summary>
    public static string CustomMethod(Node node, int which) => node.Attributes.Names[which];

    /// <summary>The user's method name alone, for comments and variable names.</summary>
    public static string CustomMethodName(Node node, int which)
    {
        var qualified = CustomMethod(node, which);
        return qualified.Substring(qualified.LastIndexOf('.') + 1);
    }

    /// <summary>A call of a generated forward-with-pullback: <c>L1.ForwardVjp(x)</c>, numbers cast to the callee's argument types.</summary>
    public static string MethodCall(string function, Node node, IReadOnlyList<string> inputs) =>
        Call(node.Attributes.Text!, inputs.Select((input, i) => i < node.Attributes.Names.Count && node.Attributes.Names[i].Length > 0
            ? $"({node.Attributes.Names[i]})({input})" : input).ToList());

    /// <summary>The value out of a forward-with-pullback's result.</summary>
    public static string CallValue(string function, Node node, IReadOnlyList<string> inputs) => inputs[0] + ".Value";

    /// <summary>The pullback applied to the upstream gradient.</summary>
    public static string CallPullback(string function, Node node, IReadOnlyList<string> inputs) => $"{inputs[0]}.Pullback({inputs[1]})";

    /// <summary>One gradient out of what a pullback returns.</summary>
    public static string CallGradient(string function, Node node, IReadOnlyList<string> inputs) => inputs[0] + "." + node.Attributes.Text;

    /// <summary>The called method as the user wrote it, for comments: <c>L1.Forward</c> for <c>L1.ForwardVjp</c>, <c>Act.Swish</c> for <c>global::Ns.Act.SwishVjp</c>.</summary>
    public static string CalledMethodName(Node call)
    {
        var text = call.Attributes.Text!;
        var parts = text.Replace("global::", "").Split('.');
        var member = parts[parts.Length - 1];
        var vjp = member.LastIndexOf("Vjp", System.StringComparison.Ordinal);
        parts[parts.Length - 1] = vjp > 0 ? member.Substring(0, vjp) : member;
        // A static method by its class and name; a sub-module's by its path from this model.
        var keep = text.StartsWith("global::", System.StringComparison.Ordinal) ? System.Math.Min(2, parts.Length) : parts.Length;
        return string.Join(".", parts, parts.Length - keep, keep);
    }

    /// <summary>
    /// <c>function(a, b{options})</c>, built in one reused buffer per thread: every node of every pullback, summary and
    /// comment is rendered through here, and joining then concatenating made three strings and an array per call.
    /// </summary>
    private static string Call(string function, IReadOnlyList<string> inputs, string options = "")
    {
        var text = CallText ??= new System.Text.StringBuilder();
        text.Clear().Append(function).Append('(');
        for (var i = 0; i < inputs.Count; i++) (i == 0 ? text : text.Append(", ")).Append(inputs[i]);
        var result = text.Append(options).Append(')').ToString();
        if (text.Capacity > 4096) CallText = null;   // an unusually long call is not kept alive by the thread
        return result;
    }

    [System.ThreadStatic] private static System.Text.StringBuilder? CallText;

    private static string Axis(Node node) => node.Attributes.Axis?.ToString(CultureInfo.InvariantCulture) ?? "null";

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Option(string name, string value, string defaultValue) => value == defaultValue ? "" : $", {name}: {value}";
}
