using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;

namespace Differentiable.Generator.IR;

/// <summary>
/// Creates nodes. Every node goes through here, so this is where the graph is kept small: equal nodes are
/// shared (hash-consing = common subexpressions), numbers are folded, and algebraic identities
/// (x·1, x+0, −(−x), ...) are applied as nodes are made rather than in a later pass.
/// </summary>
internal sealed class GraphBuilder
{
    private readonly Dictionary<NodeKey, Node> _nodes = new();
    private int _nextId;

    /// <summary>How many distinct nodes exist: what later passes cost is proportional to it.</summary>
    public int Count => _nextId;

    /// <summary>The user's statement being lowered; recorded on the nodes it creates, for comments.</summary>
    public string? CurrentOrigin { get; set; }

    public Node Leaf(Op op, string text) => Intern(op, new NodeAttributes(Text: text));

    public Node Constant(double value) => Intern(Op.Constant, new NodeAttributes(Value: value));

    public Node ScalarRef(string csharp) => Intern(Op.ScalarRef, new NodeAttributes(Text: csharp));

    public Node Adjoint(Node of) => Intern(Op.AdjointRef, NodeAttributes.None, of);

    public Node Make(Op op, params Node[] inputs) => Make(op, NodeAttributes.None, inputs);

    public Node Make(Op op, NodeAttributes attributes, params Node[] inputs) => Simplify(op, attributes, inputs) ?? Intern(op, attributes, inputs);

    public Node Add(Node a, Node b) => Make(Op.Add, a, b);
    public Node Sub(Node a, Node b) => Make(Op.Sub, a, b);
    public Node Mul(Node a, Node b) => Make(Op.Mul, a, b);
    public Node Div(Node a, Node b) => Make(Op.Div, a, b);
    public Node Neg(Node a) => Make(Op.Neg, a);

    /// <summary>Gives a node the user's name for it, unless it already has one or is a leaf (which has its own).</summary>
    public void Name(Node node, string name)
    {
        if (!node.IsLeaf && node.Name is null) node.Name = name;
    }

    /// <summary>Suggests a name for a node the user may still name (the result of an inlined call).</summary>
    public void Hint(Node node, string name)
    {
        if (!node.IsLeaf && node.Hint is null) node.Hint = name;
    }

    private Node? Simplify(Op op, NodeAttributes attributes, Node[] inputs)
    {
        switch (op)
        {
            case Op.Add or Op.Sub or Op.Mul or Op.Div or Op.Maximum or Op.Minimum when inputs[0].IsScalar && inputs[1].IsScalar:
                return FoldScalars(op, inputs[0], inputs[1]);
            case Op.Add when Is(inputs[0], 0): return inputs[1];
            case Op.Add or Op.Sub when Is(inputs[1], 0): return inputs[0];
            case Op.Sub when Is(inputs[0], 0): return Make(Op.Neg, inputs[1]);
            case Op.Mul when Is(inputs[0], 1): return inputs[1];
            case Op.Mul or Op.Div when Is(inputs[1], 1): return inputs[0];
            case Op.Mul when Is(inputs[1], -1): return Make(Op.Neg, inputs[0]);
            case Op.Mul when Is(inputs[0], -1): return Make(Op.Neg, inputs[1]);
            case Op.Add when inputs[1].Op == Op.Neg: return Make(Op.Sub, inputs[0], inputs[1][0]);
            case Op.Neg when inputs[0].Op == Op.Neg: return inputs[0][0];
            case Op.Neg when inputs[0].Op == Op.Constant: return Constant(-inputs[0].Attributes.Value);
            case Op.Neg when inputs[0].Op == Op.ScalarRef: return ScalarRef("(-" + inputs[0].Attributes.Text + ")");
            case Op.Pow when Is(inputs[1], 1): return inputs[0];
            case Op.Detach when inputs[0].Op == Op.Detach: return inputs[0];
        }
        return null;
    }

    private static bool Is(Node node, double value) => node.Op == Op.Constant && node.Attributes.Value == value;

    private Node FoldScalars(Op op, Node a, Node b)
    {
        if (a.Op == Op.Constant && b.Op == Op.Constant)
        {
            double x = a.Attributes.Value, y = b.Attributes.Value;
            return Constant(op switch
            {
                Op.Add => x + y,
                Op.Sub => x - y,
                Op.Mul => x * y,
                Op.Div => x / y,
                Op.Maximum => System.Math.Max(x, y),
                _ => System.Math.Min(x, y),
            });
        }
        if (op == Op.Mul && (Is(a, 1) || Is(b, 1))) return Is(a, 1) ? b : a;
        if (op is Op.Add or Op.Sub && Is(b, 0)) return a;
        if (op == Op.Add && Is(a, 0)) return b;
        string l = ScalarText(a), r = ScalarText(b);
        return ScalarRef(op switch
        {
            Op.Add => $"({l} + {r})",
            Op.Sub => $"({l} - {r})",
            Op.Mul => $"({l} * {r})",
            Op.Div => $"({l} / {r})",
            Op.Maximum => $"System.Math.Max({l}, {r})",
            _ => $"System.Math.Min({l}, {r})",
        });
    }

    /// <summary>C# text of a scalar node; constants always as double literals so no integer division sneaks in.</summary>
    public static string ScalarText(Node scalar) => scalar.Op == Op.Constant ? DoubleLiteral(scalar.Attributes.Value) : scalar.Attributes.Text!;

    private static readonly char[] DecimalMarks = { '.', 'E', 'e' };

    public static string DoubleLiteral(double value)
    {
        if (double.IsNaN(value)) return "double.NaN";
        if (double.IsPositiveInfinity(value)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(value)) return "double.NegativeInfinity";
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(DecimalMarks) < 0 ? text + ".0" : text;
    }

    private Node Intern(Op op, NodeAttributes attributes, params Node[] inputs)
    {
        var key = new NodeKey(op, attributes, inputs);
        if (_nodes.TryGetValue(key, out var existing)) return existing;
        var node = new Node(_nextId++, op, attributes, inputs.ToImmutableArray(), CurrentOrigin);
        _nodes.Add(key, node);
        return node;
    }

    /// <summary>
    /// What makes two nodes the same: op, attributes (a constant by its bits, so 0 and −0 stay apart) and the identity of
    /// each input. A struct, not a string: every node the lowering and differentiation make is looked up here.
    /// </summary>
    private readonly struct NodeKey(Op op, NodeAttributes attributes, Node[] inputs) : System.IEquatable<NodeKey>
    {
        private readonly Op _op = op;
        private readonly NodeAttributes _attributes = attributes;
        private readonly Node[] _inputs = inputs;

        public bool Equals(NodeKey other)
        {
            if (_op != other._op || _inputs.Length != other._inputs.Length) return false;
            for (var i = 0; i < _inputs.Length; i++)
                if (!ReferenceEquals(_inputs[i], other._inputs[i])) return false;
            var a = _attributes;
            var b = other._attributes;
            return a.Axis == b.Axis && a.KeepDims == b.KeepDims && System.BitConverter.DoubleToInt64Bits(a.Value) == System.BitConverter.DoubleToInt64Bits(b.Value)
                && a.Text == b.Text && a.Shape.Equals(b.Shape) && a.Names.Equals(b.Names);
        }

        public override bool Equals(object? obj) => obj is NodeKey other && Equals(other);

        public override int GetHashCode()
        {
            unchecked
            {
                var hash = (int)_op * 31 + System.BitConverter.DoubleToInt64Bits(_attributes.Value).GetHashCode();
                hash = hash * 31 + (_attributes.Text?.GetHashCode() ?? 0);
                hash = hash * 31 + (_attributes.Axis ?? -7);
                foreach (var input in _inputs) hash = hash * 31 + input.Id;
                return hash;
            }
        }
    }
}
