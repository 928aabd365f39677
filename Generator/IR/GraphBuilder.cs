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
    // The intern table: open addressing over power-of-two arrays of nodes (each node holds its key's hash), at most half
    // full. A dictionary keyed by (op, attributes, inputs) held a 100-byte key per node and, on a 1,000-statement body,
    // grew through megabytes of large-object-heap arrays per generator run; a slot here is a reference. One
    // array while the graph is small; past TableLimit slots, 64 arrays chosen by the hash's top bits, so no array reaches
    // the large-object heap (see LargeObjectHeap) below a quarter of a million nodes.
    private const int TableLimit = 8192;
    private const int ShardBits = 6;
    private Node?[][] _slots = { new Node?[64] };
    private int[] _counts = { 0 };
    private int _nextId;

    /// <summary>This graph's number, and the last one handed out (builders are made on any thread).</summary>
    private readonly int _graph = System.Threading.Interlocked.Increment(ref _graphs);
    private static int _graphs;

    /// <summary>Which of this graph's nodes certainly have equal shapes (for the gradients of broadcasting ops).</summary>
    public Rules.BroadcastShapes Shapes => _shapes ??= new Rules.BroadcastShapes();
    private Rules.BroadcastShapes? _shapes;

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
        // Formatted once per value and thread: every use of a constant in the code, the comments and the summary asks
        // again, and round-trip formatting showed in the profile of a large body's comments. Keyed by the bits: 0.0 and
        // -0.0 are equal doubles with different literals.
        var cache = Literals ??= new Dictionary<long, string>();
        var bits = System.BitConverter.DoubleToInt64Bits(value);
        if (cache.TryGetValue(bits, out var known)) return known;
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (text.IndexOfAny(DecimalMarks) < 0) text += ".0";
        if (cache.Count >= 4096) cache.Clear();   // a bound, for a long-lived compiler server: the literals of one method fit
        return cache[bits] = text;
    }

    [System.ThreadStatic] private static Dictionary<long, string>? Literals;

    private Node Intern(Op op, NodeAttributes attributes, params Node[] inputs)
    {
        var hash = KeyHash(op, attributes, inputs);
        var spread = Spread(hash);
        var table = TableOf(spread);
        var slots = _slots[table];
        var mask = slots.Length - 1;
        var slot = spread & mask;
        for (; slots[slot] is { } existing; slot = (slot + 1) & mask)
            if (existing.KeyHash == hash && SameKey(existing, op, attributes, inputs)) return existing;
        // The node keeps the array it was given, not a copy (an array per node allocated for nothing): every
        // caller passes a fresh one (params) or one it only reads afterwards.
        var node = new Node(_graph, _nextId++, op, attributes, System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(inputs), CurrentOrigin, hash);
        slots[slot] = node;
        if (++_counts[table] * 2 > slots.Length) Grow(table);
        return node;
    }

    private int TableOf(int spread) => _slots.Length == 1 ? 0 : spread >> (31 - ShardBits);

    private void Grow(int table)
    {
        if (_slots.Length == 1 && _slots[0].Length >= TableLimit)
        {
            // Split: every node moves to the table its hash's top bits choose, each table a fraction of the old one's size.
            var oldSlots = _slots[0];
            var shards = 1 << ShardBits;
            var length = 2 * oldSlots.Length / shards;
            (_slots, _counts) = (new Node?[shards][], new int[shards]);
            for (var t = 0; t < shards; t++) _slots[t] = new Node?[length];
            foreach (var node in oldSlots)
                if (node is not null) Place(node);
            return;
        }
        var old = _slots[table];
        (_slots[table], _counts[table]) = (new Node?[old.Length * 2], 0);
        foreach (var node in old)
            if (node is not null) Place(node);
    }

    /// <summary>Puts a node known to be absent into its table (growing a table or splitting never meets an equal key).</summary>
    private void Place(Node node)
    {
        var spread = Spread(node.KeyHash);
        var table = TableOf(spread);
        var slots = _slots[table];
        var mask = slots.Length - 1;
        var slot = spread & mask;
        while (slots[slot] is not null) slot = (slot + 1) & mask;
        slots[slot] = node;
        _counts[table]++;
    }

    /// <summary>The key hash's bits mixed (MurmurHash3's finalizer), so consecutive input ids do not fill neighbouring slots.</summary>
    private static int Spread(int hash)
    {
        unchecked
        {
            var h = (uint)hash;
            h ^= h >> 16;
            h *= 0x85ebca6bu;
            h ^= h >> 13;
            h *= 0xc2b2ae35u;
            h ^= h >> 16;
            return (int)(h & int.MaxValue);
        }
    }

    /// <summary>
    /// What makes two nodes the same: op, every attribute (a constant by its bits, so 0 and −0 stay apart; a pool's window;
    /// which end a slice is taken from) and the identity of each input.
    /// </summary>
    private static bool SameKey(Node node, Op op, in NodeAttributes attributes, Node[] inputs)
    {
        if (node.Op != op || node.Inputs.Length != inputs.Length) return false;
        for (var i = 0; i < inputs.Length; i++)
            if (!ReferenceEquals(node.Inputs[i], inputs[i])) return false;
        var a = node.Attributes;
        return a.Axis == attributes.Axis && a.KeepDims == attributes.KeepDims && a.FromEnd == attributes.FromEnd
            && System.BitConverter.DoubleToInt64Bits(a.Value) == System.BitConverter.DoubleToInt64Bits(attributes.Value)
            && a.Text == attributes.Text && a.Shape.Equals(attributes.Shape) && a.Names.Equals(attributes.Names) && a.Window == attributes.Window;
    }

    private static int KeyHash(Op op, in NodeAttributes attributes, Node[] inputs)
    {
        unchecked
        {
            var hash = (int)op * 31 + System.BitConverter.DoubleToInt64Bits(attributes.Value).GetHashCode();
            hash = hash * 31 + (attributes.Text?.GetHashCode() ?? 0);
            hash = hash * 31 + (attributes.Axis ?? -7);
            hash = hash * 31 + (attributes.FromEnd ? 1 : 0);
            foreach (var input in inputs) hash = hash * 31 + input.Id;
            return hash;
        }
    }
}
