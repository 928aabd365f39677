using System;
using System.Collections.Generic;
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
            case Op.Call: return $"{Renderings.CalledMethodName(n)}({Operands(n, nameOf)})";
            case Op.CallValue: return Of(n[0], nameOf);
            case Op.Reshape: return $"reshape({Operand(n[0], nameOf)}, ({string.Join(", ", n.Attributes.Shape)}))";
            case Op.CustomCall or Op.CustomBackward:
                return $"{Renderings.CustomMethodName(n, n.Op == Op.CustomCall ? 0 : 1)}({Operands(n, nameOf)})";
            case Op.Constant or Op.ScalarRef: return Scalar(n);
        }
        var text = RuleTable.For(n.Op).Math.Replace("{axis}", n.Attributes.Axis is { } axis ? "_" + axis.ToString(CultureInfo.InvariantCulture) : "");
        // An operand already in the template's own parentheses, relu({0}), gets none of its own: relu(a + b).
        return Fill(text, n.Inputs, new ByName(nameOf));
    }

    /// <summary>A call's operands, comma-separated. Its own method: a lambda over <paramref name="nameOf"/> inside <see cref="Of"/> made every call of it allocate a closure, whatever the op.</summary>
    private static string Operands(Node n, Func<Node, string?> nameOf) => string.Join(", ", n.Inputs.Select(i => Operand(i, nameOf)));

    /// <summary>How a template's operands are rendered: a struct, so rendering every node of every comment allocates no closure.</summary>
    private interface IOperandRenderer
    {
        string Render(Node input, bool bare);
    }

    private readonly struct ByName(Func<Node, string?> nameOf) : IOperandRenderer
    {
        public string Render(Node input, bool bare) => Operand(input, nameOf, bare);
    }

    private readonly struct ByFunction(Func<Node, bool, string> operand) : IOperandRenderer
    {
        public string Render(Node input, bool bare) => operand(input, bare);
    }

    /// <summary>
    /// A template's operand placeholders filled: <c>({i})</c> with the bare operand, <c>{i}</c> with it parenthesized as
    /// needed. Each operand is rendered once, in the form its placeholder asks for: rendering it twice per level would
    /// make a nest of unnamed nodes cost 2^depth.
    /// </summary>
    public static string FillOperands<TInputs>(string text, TInputs inputs, Func<Node, bool, string> operand) where TInputs : IReadOnlyList<Node> =>
        Fill(text, inputs, new ByFunction(operand));

    // Generic in the list too: a node's inputs (an ImmutableArray) passed as an interface were boxed for every node rendered.
    private static string Fill<TRenderer, TInputs>(string text, TInputs inputs, TRenderer operand)
        where TRenderer : struct, IOperandRenderer where TInputs : IReadOnlyList<Node>
    {
        if (inputs.Count == 0 || text.IndexOf('{') < 0) return text;
        // First the operands, input by input, the bare form before the parenthesized one: rendering may name nodes as
        // it goes, so this order keeps the names what they always were. Then one pass writes the text (a string Replace
        // per placeholder copied the whole text each time, for every node of every comment). The forms each input's
        // placeholders take are kept as bits, one per input: templates with more than 64 operands fill by Replace.
        if (inputs.Count > 64) return FillOperandsByReplace(text, inputs, operand);
        ulong inParentheses = 0, elsewhere = 0;
        for (var at = text.IndexOf('{'); at >= 0; at = text.IndexOf('{', at + 1))
            if (TryPlaceholder(text, at, inputs.Count, out var index, out var end))
            {
                if (IsBare(text, at, end)) inParentheses |= 1UL << index;
                else elsewhere |= 1UL << index;
            }
        var operands = new OperandForms(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            if ((inParentheses >> i & 1) != 0) operands[2 * i] = operand.Render(inputs[i], true);
            if ((elsewhere >> i & 1) != 0) operands[2 * i + 1] = operand.Render(inputs[i], false);
        }
        // The operands are rendered (recursively) above; this builder is only written below, so one per thread serves every level.
        var filled = Filled ??= new System.Text.StringBuilder();
        filled.Clear();
        var start = 0;
        for (var at = text.IndexOf('{'); at >= 0; at = text.IndexOf('{', at + 1))
        {
            if (!TryPlaceholder(text, at, inputs.Count, out var index, out var end)) continue;
            filled.Append(text, start, at - start).Append(operands[2 * index + (IsBare(text, at, end) ? 0 : 1)]);
            start = at = end;
            at--;
        }
        var result = filled.Append(text, start, text.Length - start).ToString();
        if (filled.Capacity > 4096) Filled = null;   // not kept when a long one grew it
        return result;
    }

    [ThreadStatic] private static System.Text.StringBuilder? Filled;

    /// <summary>
    /// Each input's rendered forms, bare at 2i and parenthesized at 2i + 1: those of one or two inputs (most ops) in fields,
    /// with no array per node rendered; more in an array. A struct per call, not a buffer per thread: rendering an operand
    /// fills the placeholders of its own template meanwhile.
    /// </summary>
    private struct OperandForms
    {
        private string? _form0, _form1, _form2, _form3;
        private readonly string?[]? _more;

        public OperandForms(int inputs)
        {
            _form0 = _form1 = _form2 = _form3 = null;
            _more = inputs > 2 ? new string?[2 * inputs] : null;
        }

        public string? this[int index]
        {
            readonly get => _more is not null ? _more[index] : index switch { 0 => _form0, 1 => _form1, 2 => _form2, 3 => _form3, _ => throw new ArgumentOutOfRangeException(nameof(index)) };
            set
            {
                if (_more is not null) _more[index] = value;
                else if (index == 0) _form0 = value;
                else if (index == 1) _form1 = value;
                else if (index == 2) _form2 = value;
                else if (index == 3) _form3 = value;
                else throw new ArgumentOutOfRangeException(nameof(index));
            }
        }
    }

    /// <summary>The same filling by a string Replace per placeholder form, for templates with more than 64 operands.</summary>
    private static string FillOperandsByReplace<TRenderer, TInputs>(string text, TInputs inputs, TRenderer operand)
        where TRenderer : struct, IOperandRenderer where TInputs : IReadOnlyList<Node>
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            string inParentheses = "({" + i + "})", placeholder = "{" + i + "}";
            if (text.Contains(inParentheses)) text = text.Replace(inParentheses, "(" + operand.Render(inputs[i], true) + ")");
            if (text.Contains(placeholder)) text = text.Replace(placeholder, operand.Render(inputs[i], false));
        }
        return text;
    }

    /// <summary>A placeholder already in the template's own parentheses: <c>({i})</c>.</summary>
    private static bool IsBare(string text, int at, int end) => at > 0 && text[at - 1] == '(' && end < text.Length && text[end] == ')';

    /// <summary>Whether <c>{digits}</c> starts at <paramref name="at"/>, naming an input below <paramref name="count"/>; <paramref name="end"/> is just past it.</summary>
    private static bool TryPlaceholder(string text, int at, int count, out int index, out int end)
    {
        index = 0;
        end = at + 1;
        while (end < text.Length && text[end] is >= '0' and <= '9' && index < 1000) index = index * 10 + (text[end++] - '0');
        // Only what "{" + i + "}" writes: digits without a leading zero.
        if (end == at + 1 || end >= text.Length || text[end] != '}' || index >= count || text[at + 1] == '0' && end > at + 2) return false;
        end++;
        return true;
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
    private static string Scalar(Node n)
    {
        var text = GraphBuilder.ScalarText(n);
        if (text.Contains("global::")) text = text.Replace("global::", "");
        if (!text.Contains(".0")) return text;
        // Once per number and thread (see GraphBuilder.DoubleLiteral), without a regex: this runs for every number of
        // every comment, and Regex.Replace allocated most of its time.
        var cache = ScalarMath ??= new Dictionary<string, string>(System.StringComparer.Ordinal);
        if (cache.TryGetValue(text, out var known)) return known;
        var math = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '.' && i + 1 < text.Length && text[i + 1] == '0' && (i + 2 == text.Length || !char.IsDigit(text[i + 2]))) { i++; continue; }
            math.Append(text[i]);
        }
        if (cache.Count >= 4096) cache.Clear();
        return cache[text] = math.ToString();
    }

    [ThreadStatic] private static Dictionary<string, string>? ScalarMath;
}
