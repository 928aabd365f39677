using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
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
        var math = Rent();
        AppendOf(math, n, nameOf);
        return Return(math);
    }

    /// <summary>A node as an operand: its name, or its math, parenthesized when it has spaces unless <paramref name="bare"/>.</summary>
    public static string Operand(Node n, Func<Node, string?> nameOf, bool bare = false)
    {
        if (n.Op is Op.Constant or Op.ScalarRef) return Scalar(n);
        if (nameOf(n) is { } name) return name;
        var math = Rent();
        AppendExpression(math, n, nameOf, bare);
        return Return(math);
    }

    /// <summary>
    /// A rule's adjoint template filled: <c>{dy}</c> with the node's adjoint, <c>{y}</c> with the node, the operand
    /// placeholders with <paramref name="inputs"/> (see <see cref="AppendFilled{TInputs}"/>), then <paramref name="suffix"/>:
    /// one string per backward step, where a Replace per placeholder made three. Generic in the list: a node's inputs (an
    /// ImmutableArray) passed as an interface were boxed for every step.
    /// </summary>
    public static string FillAdjoint<TInputs>(string text, TInputs inputs, Func<Node, string?> nameOf, string dy, string y, string suffix = "")
        where TInputs : IReadOnlyList<Node>
    {
        if (text.IndexOf('{') < 0) return suffix.Length == 0 ? text : text + suffix;
        var math = Rent();
        AppendFilled(math, text, inputs, nameOf, dy, y);
        return Return(math.Append(suffix));
    }

    // A node's math is written into one builder, operands in place: a string per nested operand, copied into its
    // consumer's, was the most objects a long body's run allocated.
    private static void AppendOf(StringBuilder math, Node n, Func<Node, string?> nameOf)
    {
        switch (n.Op)
        {
            case Op.Call:
                AppendOperands(math.Append(Renderings.CalledMethodName(n)).Append('('), n, nameOf).Append(')');
                return;
            case Op.CallValue:
                AppendOf(math, n[0], nameOf);
                return;
            case Op.Reshape:
                AppendOperand(math.Append("reshape("), n[0], nameOf, bare: false);
                math.Append(", (").Append(string.Join(", ", n.Attributes.Shape)).Append("))");
                return;
            case Op.CustomCall or Op.CustomBackward:
                AppendOperands(math.Append(Renderings.CustomMethodName(n, n.Op == Op.CustomCall ? 0 : 1)).Append('('), n, nameOf).Append(')');
                return;
            case Op.Constant or Op.ScalarRef:
                math.Append(Scalar(n));
                return;
        }
        var text = RuleTable.For(n.Op).Math.Replace("{axis}", n.Attributes.Axis is { } axis ? "_" + axis.ToString(CultureInfo.InvariantCulture) : "");
        // An operand already in the template's own parentheses, relu({0}), gets none of its own: relu(a + b).
        if (n.Inputs.Length == 0 || text.IndexOf('{') < 0) math.Append(text);
        else AppendFilled(math, text, n.Inputs, nameOf);
    }

    /// <summary>A call's operands, comma-separated.</summary>
    private static StringBuilder AppendOperands(StringBuilder math, Node n, Func<Node, string?> nameOf)
    {
        for (var i = 0; i < n.Inputs.Length; i++) AppendOperand(i == 0 ? math : math.Append(", "), n.Inputs[i], nameOf, bare: false);
        return math;
    }

    private static void AppendOperand(StringBuilder math, Node n, Func<Node, string?> nameOf, bool bare)
    {
        if (n.Op is Op.Constant or Op.ScalarRef)
        {
            math.Append(Scalar(n));
            return;
        }
        if (nameOf(n) is { } name)
        {
            math.Append(name);
            return;
        }
        AppendExpression(math, n, nameOf, bare);
    }

    /// <summary>An unnamed node's math as an operand: parenthesized when it has spaces, unless <paramref name="bare"/>.</summary>
    private static void AppendExpression(StringBuilder math, Node n, Func<Node, string?> nameOf, bool bare)
    {
        if (bare)
        {
            AppendOf(math, n, nameOf);
            return;
        }
        // The opening parenthesis goes first and is taken back when the math has no space: inserting it afterwards made
        // the builder split its text into new chunks.
        var start = math.Length;
        AppendOf(math.Append('('), n, nameOf);
        if (HasSpace(math, start + 1)) math.Append(')');
        else math.Remove(start, 1);
    }

    /// <summary>Whether what was written from <paramref name="from"/> on has a space: the builder's last characters, which its indexer reaches first.</summary>
    private static bool HasSpace(StringBuilder math, int from)
    {
        for (var i = from; i < math.Length; i++) if (math[i] == ' ') return true;
        return false;
    }

    /// <summary>
    /// A template's operand placeholders filled: <c>({i})</c> with the bare operand, <c>{i}</c> with it parenthesized as
    /// needed. An operand whose placeholder appears once is written in place; one that appears more often is rendered once
    /// and copied: rendering it each time would make a nest of unnamed nodes cost 2^depth.
    /// </summary>
    /// <param name="dy">When given, what <c>{dy}</c> stands for, and <paramref name="y"/> what <c>{y}</c> does.</param>
    private static void AppendFilled<TInputs>(StringBuilder math, string text, TInputs inputs, Func<Node, string?> nameOf, string? dy = null, string? y = null)
        where TInputs : IReadOnlyList<Node>
    {
        // The forms each input's placeholders take, and those taken twice, are kept as bits, one per input: templates with
        // more than 64 operands fill by Replace.
        if (inputs.Count > 64)
        {
            math.Append(FillOperandsByReplace(dy is null ? text : text.Replace("{dy}", dy).Replace("{y}", y), inputs, nameOf));
            return;
        }
        ulong inParentheses = 0, elsewhere = 0, repeated = 0;
        for (var at = text.IndexOf('{'); at >= 0; at = text.IndexOf('{', at + 1))
            if (TryPlaceholder(text, at, inputs.Count, out var index, out var end))
            {
                var bit = 1UL << index;
                ref var forms = ref IsBare(text, at, end) ? ref inParentheses : ref elsewhere;
                if ((forms & bit) != 0) repeated |= bit;
                forms |= bit;
            }
        var rendered = new OperandForms(repeated == 0 ? 0 : inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            if ((repeated >> i & 1) == 0) continue;
            if ((inParentheses >> i & 1) != 0) rendered[2 * i] = Operand(inputs[i], nameOf, bare: true);
            if ((elsewhere >> i & 1) != 0) rendered[2 * i + 1] = Operand(inputs[i], nameOf, bare: false);
        }
        var start = 0;
        for (var at = text.IndexOf('{'); at >= 0; at = text.IndexOf('{', at + 1))
        {
            if (!TryPlaceholder(text, at, inputs.Count, out var index, out var end))
            {
                var named = dy is null ? null : IsAt(text, at, "{dy}") ? dy : IsAt(text, at, "{y}") ? y : null;
                if (named is null) continue;
                math.Append(text, start, at - start).Append(named);
                start = at = text.IndexOf('}', at) + 1;
                at--;
                continue;
            }
            math.Append(text, start, at - start);
            var bare = IsBare(text, at, end);
            if ((repeated >> index & 1) != 0) math.Append(rendered[2 * index + (bare ? 0 : 1)]);
            else AppendOperand(math, inputs[index], nameOf, bare);
            start = at = end;
            at--;
        }
        math.Append(text, start, text.Length - start);
    }

    /// <summary>One builder per thread for the top-level call; a nested one (an operand rendered once for several placeholders) gets its own.</summary>
    private static StringBuilder Rent()
    {
        var math = Builder ?? new StringBuilder(256);
        Builder = null;
        return math.Clear();
    }

    private static string Return(StringBuilder math)
    {
        var text = math.ToString();
        if (math.Capacity <= 4096) Builder = math;   // not kept when a long one grew it
        return text;
    }

    [ThreadStatic] private static StringBuilder? Builder;

    /// <summary>
    /// Each input's forms rendered once, bare at 2i and parenthesized at 2i + 1, for the inputs whose placeholders repeat:
    /// those of one or two inputs (most ops) in fields, with no array per node rendered; more in an array.
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
    private static string FillOperandsByReplace<TInputs>(string text, TInputs inputs, Func<Node, string?> nameOf) where TInputs : IReadOnlyList<Node>
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            string inParentheses = "({" + i + "})", placeholder = "{" + i + "}";
            if (text.Contains(inParentheses)) text = text.Replace(inParentheses, "(" + Operand(inputs[i], nameOf, bare: true) + ")");
            if (text.Contains(placeholder)) text = text.Replace(placeholder, Operand(inputs[i], nameOf, bare: false));
        }
        return text;
    }

    private static bool IsAt(string text, int at, string placeholder) => string.CompareOrdinal(text, at, placeholder, 0, placeholder.Length) == 0;

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
