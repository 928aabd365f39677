using System;
using System.Globalization;
using System.Linq;
using Differentiable.Generator.IR;

namespace Differentiable.Generator.Rules;

/// <summary>
/// A node in math notation, from its rule-table row: the one rendering the C# comments, the XML docs and the CUDA
/// comments share. Nodes that have a name (a variable, a leaf, a device buffer) appear by it; others are written out.
/// </summary>
internal static class MathNotation
{
    /// <param name="nameOf">The name a node is shown by, or null to write it out.</param>
    public static string Of(Node n, Func<Node, string?> nameOf)
    {
        switch (n.Op)
        {
            case Op.Call: return $"{Renderings.CalledMethodName(n)}({string.Join(", ", n.Inputs.Select(i => Operand(i, nameOf)))})";
            case Op.CallValue: return Of(n[0], nameOf);
            case Op.Reshape: return $"reshape({Operand(n[0], nameOf)}, ({string.Join(", ", n.Attributes.Shape)}))";
            case Op.CustomCall or Op.CustomBackward:
                return $"{Renderings.CustomMethodName(n, n.Op == Op.CustomCall ? 0 : 1)}({string.Join(", ", n.Inputs.Select(i => Operand(i, nameOf)))})";
            case Op.Constant or Op.ScalarRef: return Scalar(n);
        }
        var text = RuleTable.For(n.Op).Math.Replace("{axis}", n.Attributes.Axis is { } axis ? "_" + axis.ToString(CultureInfo.InvariantCulture) : "");
        // An operand already in the template's own parentheses, relu({0}), gets none of its own: relu(a + b).
        for (var i = 0; i < n.Inputs.Length; i++)
            text = text.Replace("({" + i + "})", "(" + Operand(n[i], nameOf, bare: true) + ")").Replace("{" + i + "}", Operand(n[i], nameOf));
        return text;
    }

    /// <summary>A node as an operand: its name, or its math, parenthesized when it has spaces unless <paramref name="bare"/>.</summary>
    public static string Operand(Node n, Func<Node, string?> nameOf, bool bare = false)
    {
        if (n.Op is Op.Constant or Op.ScalarRef) return Scalar(n);
        if (nameOf(n) is { } name) return name;
        var math = Of(n, nameOf);
        return math.Contains(" ") && !bare ? "(" + math + ")" : math;
    }

    /// <summary>A number as written in math: 2 for 2.0 (a ".0" not followed by a digit), 0.01 unchanged.</summary>
    private static string Scalar(Node n) => TrailingZero.Replace(GraphBuilder.ScalarText(n), "").Replace("global::", "");

    private static readonly System.Text.RegularExpressions.Regex TrailingZero = new(@"\.0(?![0-9])");
}
