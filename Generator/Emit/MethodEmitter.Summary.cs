using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Collections;
using Differentiable.Generator.IR;
using Differentiable.Generator.Parsing;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Emit;

internal sealed partial class MethodEmitter
{
    /// <summary>While <c>{M}Summary</c> is written: every forward node's local there (each operation is a statement of its own).</summary>
    private NodeMap<string>? _summaryLocals;

    public static string SummaryMemberName(string method) => method + "Summary";

    /// <summary>
    /// Writes <c>{M}Summary(summary, arguments)</c>: the forward of the method as <c>{M}WithGradients</c> writes it, each
    /// layer's value passed through <c>summary.Add(name, layer, value, parameters)</c>. A layer is a statement of the body
    /// (<c>var h1 = MaxPool2d(Relu(Conv2d(x, W, B)), 2);</c>, one layer named h1, reading W and B), or a call of another
    /// [Differentiable] method in it (a sub-module's <c>Fc.Forward(h)</c>, one layer reading the parameters of Fc), run as the
    /// plain call, without its pullback. A node is a statement here when it is a layer or read twice; the rest is inline.
    /// </summary>
    public void WriteSummary(SourceWriter w)
    {
        var names = new NameTable(_spec.Arguments.Select(a => a.Name), _reserved);
        var summary = names.Claim("summary");
        var nodes = _forward.Where(n => !n.IsLeaf && n.Op != Op.Call).ToList();
        var layers = Layers(nodes);
        var reads = new NodeMap<int>();
        foreach (var node in nodes)
            for (var i = 0; i < node.Inputs.Length; i++)
                if (IsFirstOccurrence(node.Inputs, i)) reads[node.Inputs[i]] = reads.TryGetValue(node.Inputs[i], out var k) ? k + 1 : 1;
        var statements = nodes.Where(n => layers.Contains(n) || (reads.TryGetValue(n, out var k) && k > 1)).ToList();
        // The user's names first, so they keep them; then the rest, named after the statement they belong to (h1_relu).
        _summaryLocals = new NodeMap<string>();
        foreach (var node in statements.Where(n => n.Name is not null))
            _summaryLocals[node] = names.Claim(node.Name!);
        foreach (var node in statements.Where(n => !_summaryLocals.ContainsKey(n)))
            _summaryLocals[node] = names.Claim(DisplayName(node));
        try
        {
            var tensors = _spec.Arguments.Where(a => a.Kind == ArgumentKind.Tensor).Select(a => a.Name).ToList();
            w.Line("/// <summary>");
            w.Line($"/// Runs {_spec.Name} once, forward only, recording in <paramref name=\"{summary}\"/> {(tensors.Count == 0 ? "" : "the arguments' shapes and ")}each layer's output shape and the");
            w.Line($"/// parameters it reads: a layer is a statement of {_spec.Name}, or a call of another [Differentiable] method in one. Returns {_spec.Name}'s value.");
            w.Line("/// </summary>");
            w.Line(GeneratedCode);
            w.Open($"public Tensor {SummaryMemberName(_spec.Name)}(global::Differentiable.Summary {summary}, {Signature(withSeed: false)})");
            foreach (var argument in tensors)
                w.Line($"{summary}.Input(\"{argument.Replace("@", "")}\", {argument});");
            string? origin = null;
            // The layer whose inline operations are walked, and the walk's filter, made once rather than per layer.
            Node? layerNode = null;
            bool Inline(Node n) => n == layerNode || (!layers.Contains(n) && !n.IsLeaf);
            System.Func<Node, bool> inline = Inline;
            var read = new List<string>();
            foreach (var node in statements)
            {
                if (node.Origin is not null && node.Origin != origin) w.StartLine("// ").Append(node.Origin).Append("\n");
                origin = node.Origin;
                var local = _summaryLocals[node];
                if (!layers.Contains(node))
                {
                    AppendCall(w.StartLine("var ").Append(local).Append(" = "), node).Append(";\n");
                    continue;
                }
                // The parameters the layer reads itself, not through another layer (an earlier statement or call): a call's
                // (below), and those its inline operations read (W1 and B1 of TunedSin.Apply(x.MatMul(W1) + B1, F1)).
                read.Clear();
                layerNode = node;
                foreach (var inner in Topology.Sort(new[] { node }, inline))
                    if (inline(inner) && inner.Op != Op.CallValue)
                        foreach (var input in inner.Inputs)
                            if (input.Op == Op.Parameter && !read.Contains(input.Attributes.Text!)) read.Add(input.Attributes.Text!);
                if (node.Op == Op.CallValue)
                {
                    var (path, layer, value, parameters) = PlainCall(node);
                    w.Line($"var {local} = {summary}.Add(\"{(path ?? DisplayName(node)).Replace("@", "")}\", {layer}, {value}{Strings(parameters.Concat(read).Distinct())});");
                    continue;
                }
                AppendCall(w.StartLine("var ").Append(local).Append(" = ").Append(summary).Append(".Add(\"").Append(DisplayName(node).Replace("@", ""))
                    .Append("\", \"").Append(Kind(node)).Append("\", "), node).Append(Strings(read)).Append(");\n");
            }
            w.Line($"return {Render(_gradient.Method.Output)};");
            w.Close();
        }
        finally
        {
            _summaryLocals = null;
        }
    }

    private static string Strings(IEnumerable<string> values) => string.Concat(values.Select(v => ", \"" + v.Replace("global::", "") + "\""));

    /// <summary>
    /// The layers among the forward nodes: every call's value, and the value of every statement (of the nodes written
    /// for one statement, those no other of them reads).
    /// </summary>
    private static NodeSet Layers(List<Node> nodes)
    {
        var layers = new NodeSet(nodes.Where(n => n.Op == Op.CallValue));
        var readInStatement = new NodeSet();
        foreach (var node in nodes)
            foreach (var input in node.Inputs)
                if (input.Origin == node.Origin) readInStatement.Add(input);
        foreach (var node in nodes)
            if (!readInStatement.Contains(node)) layers.Add(node);
        return layers;
    }

    private static readonly System.Text.RegularExpressions.Regex Outermost = new(
        @"^\s*(?:return\b|(?:var\s+)?@?\w+\s*=(?!=))\s*(?:[\w.]*\.)?(?<f>[A-Za-z_]\w*)\s*\(");

    /// <summary>
    /// What a statement's layer is: the function the statement's expression calls outermost as the user wrote it (MaxPool2d
    /// for <c>var h1 = MaxPool2d(Relu(...), 2);</c>, LogSoftmax though the graph writes it as a subtraction), else the
    /// operation that computes it (Add for <c>a + b</c>).
    /// </summary>
    private string Kind(Node node)
    {
        var fallback = RuleTable.For(node.Op).CSharp;
        if (node.Origin is not { } origin) return fallback;
        // Once per statement: its layers share its text, and matching it was a regex run per layer.
        _outermostCalls ??= new Dictionary<string, string?>(System.StringComparer.Ordinal);
        if (!_outermostCalls.TryGetValue(origin, out var call)) _outermostCalls[origin] = call = OutermostCall(origin);
        return call ?? fallback;
    }

    private Dictionary<string, string?>? _outermostCalls;

    /// <summary>The function a statement's expression calls outermost, when that call is the whole expression.</summary>
    private static string? OutermostCall(string origin)
    {
        var match = Outermost.Match(origin);
        if (!match.Success) return null;
        // The call must be the whole expression: its closing parenthesis ends the statement.
        var depth = 0;
        var open = match.Index + match.Length - 1;
        for (var i = open; i < origin.Length; i++)
        {
            if (origin[i] == '(') depth++;
            else if (origin[i] == ')' && --depth == 0)
                return origin.Substring(i + 1).Trim().TrimEnd(';').Trim().Length == 0 ? match.Groups["f"].Value : null;
        }
        return null;
    }

    /// <summary>
    /// A call's value as the plain call of the method the user wrote (<c>Fc.Forward(h)</c> for <c>Fc.ForwardVjp(h)</c>); its
    /// layer: the receiver's type (<c>Linear</c>), with the method unless it is Forward (<c>Linear.Apply</c>), or the class and method of a static call; the
    /// sub-module's path (null for a call of this class's or a static method) and the parameters the layer reads: the
    /// sub-module's (<c>Fc</c>, all of them, as torchinfo counts a module's), else those the callee reaches.
    /// </summary>
    private (string? Path, string Layer, string Value, IReadOnlyList<string> Parameters) PlainCall(Node value)
    {
        var call = value[0];
        var text = call.Attributes.Text!;
        var dot = text.LastIndexOf('.');
        var member = text.Substring(dot + 1);
        var vjp = member.LastIndexOf("Vjp", System.StringComparison.Ordinal);
        var method = vjp > 0 ? member.Substring(0, vjp) : member;
        var receiver = dot < 0 ? "" : text.Substring(0, dot);
        var casts = call.Attributes.Names;
        var arguments = call.Inputs.Select((input, i) => i < casts.Count && casts[i].Length > 0 ? $"({casts[i]})({Render(input)})" : Render(input));
        var plain = $"{(receiver.Length == 0 ? "" : receiver + ".")}{method}({string.Join(", ", arguments)})";
        var reached = value.Inputs.Where(i => i.Op == Op.Parameter).Select(i => i.Attributes.Text!).Distinct().ToList();
        // A sub-module's Forward is the module, as torchinfo names it (Linear); another method, or one of this class, is named too.
        var suffix = method == "Forward" ? "" : $" + \".{method}\"";
        if (receiver.Length == 0) return (null, $"GetType().Name + \".{method}\"", plain, reached);
        if (receiver.StartsWith("global::", System.StringComparison.Ordinal)) return (null, $"\"{Renderings.CalledMethodName(call)}\"", plain, reached);
        return (receiver, $"{receiver}.GetType().Name{suffix}", plain, new[] { receiver });
    }
}
