using System.Globalization;
using System.Linq;
using Differentiable.Generator.IR;

namespace Differentiable.Generator.Rules;

/// <summary>How a node of a device program is computed.</summary>
internal enum DeviceKind
{
    /// <summary>Bound from outside: an argument or a parameter.</summary>
    External,
    /// <summary>A number: a literal, or read when the program is built.</summary>
    Scalar,
    /// <summary>Elementwise: fused into the kernel of the node that uses it, unless it must be materialized.</summary>
    Elementwise,
    /// <summary>A runtime kernel of its own (product, reduction, convolution, ...), launched by a <c>ProgramBuilder</c> call.</summary>
    Kernel,
    /// <summary>A strided view of its input: no kernel.</summary>
    View,
    /// <summary>The device cannot run it; the method gets no device program.</summary>
    Unsupported,
}

/// <summary>
/// The device column of a rule-table row: how the op runs in a device program. Elementwise ops give a CUDA
/// expression the emitter fuses with their neighbours; views and kernels give the <c>ProgramBuilder</c> call that
/// records them (the kernel itself lives in the runtime beside that call). Call templates name the node's inputs
/// {0}, {1}, ..., and its attributes {name} (the output's name, quoted), {axis} (or null), {axis|0}, {keepDims},
/// {shape} (the shape attribute, comma-separated; {, shape} with a comma before each, nothing when empty), {fromEnd}, {kernel}, {stride} and {padding} (the window) and {inputs} (all inputs).
/// </summary>
internal sealed class DeviceLowering
{
    private DeviceLowering(DeviceKind kind, string? expression = null, string? call = null, string? productOperands = null,
        string? broadcast = null, string? scale = null, string? reason = null, int? shapeOnly = null)
    {
        ShapeOnlyInput = shapeOnly;
        Kind = kind;
        Expression = expression;
        Call = call;
        ProductOperands = productOperands;
        Broadcast = broadcast;
        Scale = scale;
        Reason = reason;
    }

    public DeviceKind Kind { get; }

    /// <summary>The input the op reads for its shape alone (the tensor to sum back to, expand or reshape like), if any.</summary>
    public int? ShapeOnlyInput { get; }

    /// <summary>Elementwise ops that read input 0 whole, through a view or for its shape: one pointer, never fused further.</summary>
    public bool ReadsWhole => Kind == DeviceKind.Elementwise && (Broadcast is not null || ShapeOnlyInput == 0);

    /// <summary>Elementwise: the CUDA C expression over the operands' values {0}, {1}.</summary>
    public string? Expression { get; }

    /// <summary>Views and kernels: the builder call that records the node.</summary>
    public string? Call { get; }

    /// <summary>Matrix products: a and b as builder operands (with <c>p.Transpose</c> where the op transposes one), so that an elementwise consumer can become the product's epilogue.</summary>
    public string? ProductOperands { get; }

    /// <summary>Elementwise reads of input 0 repeated along reduced axes: the builder call that makes that view.</summary>
    public string? Broadcast { get; }

    /// <summary>A run-time number the broadcast value is multiplied by (1/n of a mean): a builder call.</summary>
    public string? Scale { get; }

    /// <summary>Unsupported: why, for the comment that replaces the device program ({text}: the node's text attribute).</summary>
    public string? Reason { get; }

    public static readonly DeviceLowering External = new(DeviceKind.External);
    public static readonly DeviceLowering Scalar = new(DeviceKind.Scalar);

    /// <summary>A fused elementwise expression; <paramref name="shapeOnly"/>: an input it does not read but takes its shape from.</summary>
    public static DeviceLowering Elementwise(string cuda, int? shapeOnly = null) => new(DeviceKind.Elementwise, expression: cuda, shapeOnly: shapeOnly);

    /// <summary>An elementwise read of input 0 through <paramref name="view"/> shaped like input 1, times <paramref name="scale"/> when given.</summary>
    public static DeviceLowering Broadcasting(string view, string? scale = null) => new(DeviceKind.Elementwise, broadcast: view, scale: scale, shapeOnly: 1);

    public static DeviceLowering View(string call, int? shapeOnly = null) => new(DeviceKind.View, call: call, shapeOnly: shapeOnly);

    public static DeviceLowering Kernel(string call, int? shapeOnly = null) => new(DeviceKind.Kernel, call: call, shapeOnly: shapeOnly);

    /// <summary>A matrix product of <paramref name="operands"/>: <c>p.MatMul</c>, or <c>p.MatMulThen</c> with an epilogue.</summary>
    public static DeviceLowering Product(string operands) => new(DeviceKind.Kernel, call: "p.MatMul({name}, " + operands + ")", productOperands: operands);

    public static DeviceLowering Unsupported(string reason) => new(DeviceKind.Unsupported, reason: reason);

    /// <summary>The lowering of <paramref name="node"/>'s op.</summary>
    public static DeviceLowering Of(Node node) => RuleTable.For(node.Op).Device;

    /// <summary>Fills a call template for <paramref name="node"/>, named <paramref name="name"/>, its inputs written by <paramref name="operand"/>.</summary>
    public static string Render(string template, Node node, string name, System.Func<Node, string> operand)
    {
        // Each placeholder is filled, in this order, only when the template has it: the device emitter renders a template
        // per kernel call, view and scale of a long body, and computing every filling for each (the inputs joined, the
        // shape) allocated several strings a call for placeholders most templates lack.
        var a = node.Attributes;
        var text = template;
        if (text.IndexOf('{') < 0) return text;
        if (Has(text, "{name}")) text = text.Replace("{name}", "\"" + name + "\"");
        if (Has(text, "{axis|0}")) text = text.Replace("{axis|0}", Int(a.Axis ?? 0));
        if (Has(text, "{axis}")) text = text.Replace("{axis}", a.Axis is { } axis ? Int(axis) : "null");
        if (Has(text, "{keepDims}")) text = text.Replace("{keepDims}", a.KeepDims ? "true" : "false");
        if (Has(text, "{fromEnd}")) text = text.Replace("{fromEnd}", a.FromEnd ? "true" : "false");
        if (Has(text, "{kernel}")) text = text.Replace("{kernel}", a.Window.Kernel ?? "0");
        if (Has(text, "{stride}")) text = text.Replace("{stride}", a.Window.Stride ?? "1");
        if (Has(text, "{padding}")) text = text.Replace("{padding}", a.Window.Padding ?? "0");
        if (Has(text, "{shape}")) text = text.Replace("{shape}", string.Join(", ", a.Shape.Select(Int)));
        if (Has(text, "{, shape}")) text = text.Replace("{, shape}", string.Concat(a.Shape.Select(d => ", " + Int(d))));
        if (Has(text, "{inputs}")) text = text.Replace("{inputs}", string.Join(", ", node.Inputs.Select(operand)));
        if (Has(text, "{text}")) text = text.Replace("{text}", a.Text?.Replace("global::", "") ?? "");
        for (var k = 0; k < node.Inputs.Length && text.IndexOf('{') >= 0; k++)
        {
            var placeholder = k < Placeholders.Length ? Placeholders[k] : "{" + k + "}";
            if (Has(text, placeholder)) text = text.Replace(placeholder, operand(node[k]));
        }
        return text;
    }

    private static bool Has(string text, string placeholder) => text.IndexOf(placeholder, System.StringComparison.Ordinal) >= 0;

    /// <summary>The operand placeholders of small ops, made once.</summary>
    private static readonly string[] Placeholders = { "{0}", "{1}", "{2}", "{3}", "{4}", "{5}", "{6}", "{7}" };

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
