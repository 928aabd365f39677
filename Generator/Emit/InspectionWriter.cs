using System.Collections.Generic;
using System;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Linq;
using Differentiable.Generator.Autodiff;
using Differentiable.Generator.Collections;
using Differentiable.Generator.IR;
using Differentiable.Generator.Parsing;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Emit;

/// <summary>
/// Writes <c>{M}Inspection()</c>, what <c>Differentiable.Inspection.Inspect.Gradient</c> returns at run time: the C# the
/// generator just wrote for the method (as a raw string, so it reads as code), its CUDA source, and its forward and
/// backward graphs, named and written in math as in the generated comments. Built on call, so it costs nothing until asked.
/// </summary>
internal static class InspectionWriter
{
    private const string Record = "global::Differentiable.Inspection.GradientInspection";
    private const string NodeType = "global::Differentiable.Inspection.GraphNode";
    private const string NodeLines = "global::Differentiable.Inspection.GraphNodes.FromJsonLines";

    public static string MemberName(string method) => method + "Inspection";

    /// <param name="csharp">The C# members that compute the method's gradient (its CPU path), at one level of indentation, in parts of the file; each part after the first starts with a blank line.</param>
    /// <param name="hasCuda">Whether <c>{M}CudaSource</c> was written.</param>
    /// <param name="gradient">The method's gradient and <paramref name="emitter"/> its names and math; null for a body with control flow (no single graph).</param>
    public static void Write(SourceWriter w, MethodSpec spec, IReadOnlyList<TextRange> csharp, bool hasCuda, Gradient? gradient, MethodEmitter? emitter) =>
        Write(w, spec, hasCuda, WriteParts(w.Indent, csharp, gradient, emitter));

    /// <summary>
    /// The two large parts of the record, the copy of the C# and the graphs, written apart from the file: they do not depend
    /// on whether the method has a device program, so they can be written while another thread writes it.
    /// </summary>
    public sealed record Parts(SourceWriter Code, SourceWriter Graphs, bool HasGraph);

    /// <summary>The <see cref="Parts"/> at the file's indentation <paramref name="indent"/>; see <see cref="Write(SourceWriter, MethodSpec, IReadOnlyList{TextRange}, bool, Gradient?, MethodEmitter?)"/> for the arguments.</summary>
    public static Parts WriteParts(int indent, IReadOnlyList<TextRange> csharp, Gradient? gradient, MethodEmitter? emitter) =>
        new(WriteCode(indent, csharp), WriteGraphs(indent, gradient, emitter), HasGraph: gradient is not null);

    /// <summary>The copy of the C#: it reads only the file's text in <paramref name="csharp"/>.</summary>
    public static SourceWriter WriteCode(int indent, IReadOnlyList<TextRange> csharp)
    {
        var code = SourceWriter.Part(indent);
        WriteRawString(code, "CSharp", csharp);
        return code;
    }

    /// <summary>
    /// The forward and backward graphs: they read the gradient and, of <paramref name="emitter"/>, its names and its caches
    /// of math (<see cref="MethodEmitter.Math"/>, <see cref="MethodEmitter.AdjointMath"/>), which they fill.
    /// </summary>
    public static SourceWriter WriteGraphs(int indent, Gradient? gradient, MethodEmitter? emitter)
    {
        var graphs = SourceWriter.Part(indent);
        if (gradient is null)
        {
            WriteNoNodes(graphs, "Forward", last: false);
            WriteNoNodes(graphs, "Backward", last: true);
        }
        else
        {
            WriteForwardNodes(graphs, gradient, emitter!);
            WriteBackwardNodes(graphs, gradient, emitter!);
        }
        return graphs;
    }

    /// <summary>The record around its <paramref name="parts"/>, which it takes into the file (they are spent).</summary>
    public static void Write(SourceWriter w, MethodSpec spec, bool hasCuda, Parts parts)
    {
        w.Line();
        w.Line("/// <summary>");
        w.Line($"/// What <c>Inspect.Gradient(typeof({spec.Class.Name}), \"{spec.Name}\")</c> returns: the C# above that computes the gradient of {spec.Name},");
        w.Line($"/// {(hasCuda ? $"<see cref=\"{spec.Name}CudaSource\"/>" : "no CUDA (it has no device program)")}, and {(parts.HasGraph ? "its forward and backward graphs" : "no graph (its body has control flow)")}.");
        w.Line("/// </summary>");
        w.Line(GeneratedMembers.Attribute);
        w.Line($"internal static {Record} {MemberName(spec.Name)}() => new(");
        w.Line($"    Model: {Literal(spec.Class.Name)},");
        w.Line($"    Method: {Literal(spec.Name)},");
        w.AppendAndRecycle(parts.Code);
        w.Line($"    Cuda: {(hasCuda ? spec.Name + "CudaSource" : "null")},");
        w.AppendAndRecycle(parts.Graphs);
    }

    /// <summary>
    /// The tensor leaves, then each node with a forward statement; a node written inline is part of its consumer's math, and
    /// its inputs are the consumer's. Written node by node, as <see cref="WriteBackwardNodes"/> writes, not as a record and
    /// a list of inputs per node first.
    /// </summary>
    private static void WriteForwardNodes(SourceWriter w, Gradient gradient, MethodEmitter emitter)
    {
        var order = gradient.Method.ForwardOrder;
        // A call's forward-with-pullback is plumbing: its value (CallValue) is the node, F(x).
        var statements = new NodeSet(emitter.NamedForwardNodes.Where(n => n.Op != Op.Call));
        bool Shown(Node n) => statements.Contains(n) || IsTensorLeaf(n);
        if (!order.Any(Shown))
        {
            WriteNoNodes(w, "Forward", last: false);
            return;
        }
        OpenNodes(w, "Forward");
        foreach (var n in order.Where(IsTensorLeaf))
            WriteNode(w, emitter.NameOf(n), LeafKind(n), emitter.NameOf(n), System.Array.Empty<string>(), null, null);
        var (walk, inputs) = (new InputWalk(), new List<string>());
        foreach (var n in order.Where(statements.Contains))
            WriteNode(w, emitter.NameOf(n), OpName(n), emitter.Math(n), walk.ShownInputs(n, Shown, emitter, inputs), n.Origin, null);
        CloseNodes(w, last: false);
    }

    /// <summary>
    /// The backward graph, one node per adjoint in the order the generated code completes them: the seed, then each
    /// target of a rule after its last contribution. Written piece by piece, as <see cref="WriteNode"/> writes a
    /// node: a target's math and rules repeat every contribution's math (a parameter of a long body has hundreds), and
    /// building them as strings first copied them twice more.
    /// </summary>
    private static void WriteBackwardNodes(SourceWriter w, Gradient gradient, MethodEmitter emitter)
    {
        var output = gradient.Method.Output;
        var seeded = gradient.NodesWithAdjoint.Contains(output);
        if (!seeded && gradient.Steps.Count == 0)
        {
            WriteNoNodes(w, "Backward", last: true);
            return;
        }
        OpenNodes(w, "Backward");
        if (seeded)
        {
            var seed = emitter.AdjointOf(output);
            WriteNode(w, seed, "seed", emitter.SeedName, new string[0], output.Origin, $"{seed} = {emitter.SeedName} (ones when none is given)");
        }
        var wrt = new NodeSet(gradient.Method.WrtLeaves);
        // An adjoint is complete at its last contribution, and only then read: that order has every node after its inputs.
        // One pass collects each target's steps; the target's node is written at its last one.
        var byTarget = new NodeChains<BackwardStep>();
        foreach (var step in gradient.Steps) byTarget.Add(step.Target, step);
        var steps = new List<BackwardStep>();
        var inputs = new List<string>();
        var shown = new HashSet<string>();
        for (var i = 0; i < gradient.Steps.Count; i++)
        {
            var step = gradient.Steps[i];
            if (!byTarget.IsLast(step.Target, i)) continue;
            steps.Clear();
            foreach (var earlier in byTarget.Of(step.Target)) steps.Add(earlier);
            var target = emitter.AdjointOf(step.Target);
            inputs.Clear();
            shown.Clear();
            foreach (var contribution in steps)
                if (emitter.AdjointOf(contribution.Source) is var input && shown.Add(input)) inputs.Add(input);
            // Each contribution's math once (AdjointMath keeps it): the node's math and its rules both show it.
            w.StartLine("        [").AppendLiteral(target).Append(", ").AppendLiteral(wrt.Contains(step.Target) ? "gradient" : "adjoint").Append(", \"");
            for (var k = 0; k < steps.Count; k++) (k == 0 ? w : w.Append(" + ")).AppendEscaped(emitter.AdjointMath(steps[k]));
            w.Append("\", [");
            for (var k = 0; k < inputs.Count; k++) (k == 0 ? w : w.Append(", ")).AppendLiteral(inputs[k]);
            w.Append("]");
            if (steps[0].Source.Origin is { } origin) w.Append(", ").AppendLiteral(origin);
            else w.Append(", null");
            w.Append(", \"");
            for (var k = 0; k < steps.Count; k++)
            {
                var source = steps[k].Source;
                (k == 0 ? w : w.Append("\\n")).AppendEscaped(emitter.NameOf(source)).Append(" = ").AppendEscaped(emitter.Math(source)).Append("  ⇒  ")
                    .AppendEscaped(target).Append(k == 0 ? " = " : " += ").AppendEscaped(emitter.AdjointMath(steps[k]));
            }
            w.Append("\"]\n");
        }
        CloseNodes(w, last: true);
    }

    /// <summary>
    /// The names of the shown nodes a node reads, looking through nodes written inline: a walk with a stack (chains can be
    /// long), whose stack and set serve every node of the graph (a set, a stack and a reversed copy of the inputs per node
    /// were 2–3% of everything a long body's run allocated).
    /// </summary>
    private sealed class InputWalk
    {
        private readonly HashSet<Node> _seen = new();
        private readonly Stack<Node> _stack = new();

        /// <returns><paramref name="found"/>, cleared and filled.</returns>
        public List<string> ShownInputs(Node node, System.Func<Node, bool> shown, MethodEmitter emitter, List<string> found)
        {
            found.Clear();
            _seen.Clear();
            Push(node);
            while (_stack.Count > 0)
            {
                var n = _stack.Pop();
                if (!_seen.Add(n)) continue;
                if (shown(n)) found.Add(emitter.NameOf(n));
                else Push(n);
            }
            return found;
        }

        /// <summary>Its inputs, the first on top.</summary>
        private void Push(Node n)
        {
            for (var i = n.Inputs.Length - 1; i >= 0; i--) _stack.Push(n.Inputs[i]);
        }
    }

    private static bool IsTensorLeaf(Node n) => n.Op is Op.Input or Op.Parameter or Op.ConstantTensor;

    private static string LeafKind(Node n) => n.Op switch { Op.Parameter => "parameter", Op.ConstantTensor => "constant", _ => "input" };

    private static string OpName(Node n) => n.Op switch
    {
        Op.CallValue => "call",
        Op.CustomCall => "custom",
        Op.CustomBackward => "backward",
        Op.TupleItem => "item",
        _ => RuleTable.For(n.Op).NamePart,
    };

    /// <summary>An empty graph: a body with control flow records none, and a method's graph may have no node to show.</summary>
    private static void WriteNoNodes(SourceWriter w, string name, bool last) => w.Line($"    {name}: new {NodeType}[0]{(last ? ");" : ",")}");

    /// <summary>
    /// Opens a graph's raw string of lines: the nodes as <c>GraphNodes.FromJsonLines</c> reads them, one JSON array per
    /// line. A string the compiler only stores, where one constructor call per node (thousands in a long method) was bound
    /// and emitted on every build and compiled by the JIT on the first inspection. Three quotes delimit the text: a JSON
    /// line never holds three in a row (a string's own quotes are escaped, so the longest run is an empty string's two, or
    /// an escaped quote's and the closing one).
    /// </summary>
    private static void OpenNodes(SourceWriter w, string name) => w.Line($"    {name}: {NodeLines}(\"\"\"");

    private static void CloseNodes(SourceWriter w, bool last) => w.Line("        \"\"\")" + (last ? ");" : ","));

    /// <summary>One node's line: <c>[name, kind, math, [inputs], statement?, rule?]</c> (statement null when only a rule follows).</summary>
    private static void WriteNode(SourceWriter w, string name, string kind, string math, IReadOnlyList<string> inputs, string? statement, string? rule)
    {
        w.StartLine("        [").AppendLiteral(name).Append(", ").AppendLiteral(kind).Append(", ").AppendLiteral(math).Append(", [");
        for (var i = 0; i < inputs.Count; i++) (i == 0 ? w : w.Append(", ")).AppendLiteral(inputs[i]);
        w.Append("]");
        if (statement is not null) w.Append(", ").AppendLiteral(statement);
        else if (rule is not null) w.Append(", null");
        if (rule is not null) w.Append(", ").AppendLiteral(rule);
        w.Append("]\n");
    }

    /// <summary>
    /// The <paramref name="parts"/>, one after another, as a C# 11 raw string, one source line per line of code, so the record reads like the code
    /// above it; the delimiter is one quote longer than the longest run of quotes in the text.
    /// </summary>
    private static void WriteRawString(SourceWriter w, string name, IReadOnlyList<TextRange> parts)
    {
        // Each line is written at the closing delimiter's indentation plus its own beyond the text's least, which the compiler
        // removes. The text is read back from the file in blocks, twice: it is as long as the method's generated code.
        var (longest, least) = (0, int.MaxValue);
        var reader = parts[0].Lines();   // one reader (and its buffers) for every part, both passes
        foreach (var part in parts)
            for (var lines = reader.Over(part.TrimEndNewlines()); lines.Next();)
            {
                var (line, length) = (lines.Line, lines.Length);
                longest = System.Math.Max(longest, LongestQuoteRun(line, length));
                var indent = 0;
                while (indent < length && line[indent] == ' ') indent++;
                if (!IsBlank(line, length)) least = System.Math.Min(least, indent);
            }
        if (least == int.MaxValue) least = 0;
        var quotes = new string('"', System.Math.Max(3, longest + 1));
        w.Line($"    {name}: {quotes}");
        foreach (var part in parts)
            for (var lines = reader.Over(part.TrimEndNewlines()); lines.Next();)
            {
                if (IsBlank(lines.Line, lines.Length)) w.Line();
                else w.Line("    ", lines.Line, least, lines.Length - least);
            }
        w.Line($"    {quotes},");
    }

    /// <summary>The longest run of quotes in the line: found by a vectorized search for each run's start, not a test per character.</summary>
    private static int LongestQuoteRun(char[] line, int length)
    {
        var longest = 0;
        for (var at = System.Array.IndexOf(line, '"', 0, length); at >= 0; at = System.Array.IndexOf(line, '"', at, length - at))
        {
            var start = at;
            while (at < length && line[at] == '"') at++;
            longest = System.Math.Max(longest, at - start);
        }
        return longest;
    }

    private static bool IsBlank(char[] line, int length)
    {
        for (var i = 0; i < length; i++) if (!char.IsWhiteSpace(line[i])) return false;
        return true;
    }

    /// <summary>
    /// A regular C# string literal: quotes, backslashes, control characters and the Unicode line and paragraph separators
    /// (which end a line of C#) escaped; other characters (math) as they are. Also a JSON string: the escapes are the same.
    /// </summary>
    public static string Literal(string text) => Escape(new ChunkedText(), text).ToString();

    /// <summary>Appends <paramref name="text"/> as a regular C# string literal (see <see cref="Literal"/>).</summary>
    public static ChunkedText Escape(ChunkedText s, string text) => EscapeInto(s.Append('"'), text).Append('"');

    /// <summary>Appends <paramref name="text"/> escaped as inside a regular C# string literal, without the quotes: one piece of a literal written in pieces.</summary>
    public static ChunkedText EscapeInto(ChunkedText s, string text)
    {
        // Whole blocks of characters that need no escaping are skipped a vector at a time (the math and names of a long
        // body's graphs are most of its inspection, and a test per character was the largest leaf of writing them);
        // a block with anything to escape is done character by character.
        var blocks = Vector.IsHardwareAccelerated ? MemoryMarshal.Cast<char, Vector<ushort>>(text.AsSpan()) : default;
        var width = Vector<ushort>.Count;
        var start = 0;
        for (var i = 0; i < text.Length;)   // i is at the start of a block here
        {
            if (i / width < blocks.Length && IsPlain(blocks[i / width]))
            {
                i += width;
                continue;
            }
            for (var end = System.Math.Min(text.Length, i - i % width + width); i < end; i++)
            {
                var c = text[i];
                // Printable ASCII, most of the text: one range test, then only the quote and the backslash need escaping.
                if ((uint)(c - ' ') <= '~' - ' ' ? c != '"' && c != '\\' : !NeedsEscape(c)) continue;
                // Runs of plain characters are copied whole; only what needs escaping is written one by one.
                s.Append(text, start, i - start);
                start = i + 1;
                switch (c)
                {
                    case '"': s.Append("\\\""); break;
                    case '\\': s.Append("\\\\"); break;
                    case '\n': s.Append("\\n"); break;
                    case '\r': s.Append("\\r"); break;
                    case '\t': s.Append("\\t"); break;
                    default: s.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                }
            }
        }
        return s.Append(text, start, text.Length - start);
    }

    private static readonly Vector<ushort> Space = new(' '), Quote = new('"'), Backslash = new('\\'), Delete = new(0x7f),
        C1Width = new(0x9f - 0x7f + 1), SeparatorMask = new(0xfffe), LineSeparator = new(0x2028);

    /// <summary>
    /// Whether no character of the block needs escaping (<see cref="NeedsEscape"/>, lane by lane): none below a space,
    /// none a quote or a backslash, none in U+007F–U+009F (unsigned: c − 0x7F below 0x21), none U+2028 or U+2029.
    /// </summary>
    private static bool IsPlain(Vector<ushort> block) =>
        Vector.EqualsAll(Vector.LessThan(block, Space) | Vector.Equals(block, Quote) | Vector.Equals(block, Backslash)
            | Vector.LessThan(block - Delete, C1Width) | Vector.Equals(block & SeparatorMask, LineSeparator), Vector<ushort>.Zero);

    /// <summary>
    /// Quotes, backslashes, the line and paragraph separators and control characters (<c>char.IsControl</c>: U+0000–U+001F
    /// and U+007F–U+009F), tested by range, with no Unicode category lookup for the math's symbols (⊙, −, σ). A test
    /// checks every character against <c>char.IsControl</c>.
    /// </summary>
    private static bool NeedsEscape(char c) =>
        c < ' ' || c == '"' || c == '\\' || c is >= '\u007f' and <= '\u009f' || c == '\u2028' || c == '\u2029';
}
