using System.Collections.Generic;
using System.Collections.Immutable;
using Differentiable.Generator.Collections;
using Differentiable.Generator.Model;

namespace Differentiable.Generator.IR;

/// <summary>
/// Attributes that distinguish nodes of the same op: axis and keepDims of reductions, the target shape of a
/// reshape, the number of a constant, the text of a leaf, for calls the names that go with their inputs (for a
/// call with a hand-written backward: the forward and the backward method), the window of a convolution or pool,
/// and which end of a concatenation's adjoint a slice takes.
/// </summary>
internal readonly record struct NodeAttributes(int? Axis = null, bool KeepDims = false, double Value = 0, string? Text = null, EquatableArray<int> Shape = default,
    EquatableArray<string> Names = default, Window Window = default, bool FromEnd = false)
{
    public static readonly NodeAttributes None = new();

    /// <summary>Whether these are <see cref="None"/>'s (the attributes of most nodes: an add, a product, a tanh).</summary>
    public bool IsNone => Axis is null && !KeepDims && System.BitConverter.DoubleToInt64Bits(Value) == 0 && Text is null && Shape.Count == 0
        && Names.Count == 0 && Window == default && !FromEnd;
}

/// <summary>
/// A convolution's or pool's window: the pool's kernel size ("0" for a convolution, whose weights give it), stride and
/// padding, each as the C# int it is rendered as: a number known at generation time (<c>2</c>), or an int member read at
/// run time (<c>Kernel</c> in a layer that takes its kernel in its constructor, <c>Pool.Kernel</c> from a caller).
/// </summary>
internal readonly record struct Window(string Kernel, string Stride, string Padding);

/// <summary>
/// An immutable node of the expression graph. Nodes are hash-consed by <see cref="GraphBuilder"/>, so equal
/// subexpressions are one node (common subexpression elimination comes for free) and identity is equality.
/// </summary>
internal sealed class Node
{
    public Node(int graph, int id, Op op, NodeAttributes attributes, ImmutableArray<Node> inputs, string? origin, int keyHash)
    {
        Graph = graph;
        Id = id;
        Op = op;
        _attributes = attributes.IsNone ? null : new AttributesBox(attributes);
        Inputs = inputs;
        Origin = origin;
        KeyHash = keyHash;
    }

    // Attributes are held apart, and only by the nodes that have any: inline, the struct was most of every node's size,
    // and most nodes (elementwise ops) have none.
    private readonly AttributesBox? _attributes;

    private sealed class AttributesBox(NodeAttributes value)
    {
        public readonly NodeAttributes Value = value;
    }

    /// <summary>Which builder made it (a number unique in the process): tables indexed by <see cref="Id"/> tell graphs apart by it.</summary>
    public int Graph { get; }

    /// <summary>Its number in its graph: dense from 0, so tables of nodes are arrays indexed by it.</summary>
    public int Id { get; }
    public Op Op { get; }
    public NodeAttributes Attributes => _attributes is null ? NodeAttributes.None : _attributes.Value;

    /// <summary>The hash of its op, attributes and inputs, which its builder's intern table compares before the key itself.</summary>
    public int KeyHash { get; }
    public ImmutableArray<Node> Inputs { get; }

    /// <summary>The name the user gave it (a local variable), if any; the emitter derives the others.</summary>
    public string? Name { get; set; }

    /// <summary>A name to use when the user gave none: the call it is the result of (<c>L1_forward</c>).</summary>
    public string? Hint { get; set; }

    public string? PreferredName => Name ?? Hint;

    /// <summary>The user's statement that first produced this node, for comments.</summary>
    public string? Origin { get; }

    public bool IsScalar => Op is Op.Constant or Op.ScalarRef;

    public bool IsLeaf => Op is Op.Input or Op.Parameter or Op.ConstantTensor or Op.Constant or Op.ScalarRef or Op.AdjointRef;

    public Node this[int index] => Inputs[index];

    /// <summary>Its id: identity stays equality, and every set and map of nodes skips the runtime's object-hash lookup.</summary>
    public override int GetHashCode() => Id;

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override string ToString() => $"%{Id} = {Op}({string.Join(", ", System.Linq.Enumerable.Select(Inputs, i => "%" + i.Id))})";
}

/// <summary>Orders nodes so every node comes after its inputs (depth-first, inputs in order: deterministic).</summary>
internal static class Topology
{
    public static SegmentedList<Node> Sort(IEnumerable<Node> roots, System.Func<Node, bool>? descend = null)
    {
        var order = new SegmentedList<Node>();
        var seen = new NodeSet();
        var stack = new SegmentedList<(Node Node, int Next)>();
        foreach (var root in roots)
        {
            if (!seen.Add(root)) continue;
            stack.Add((root, 0));
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var inputs = descend is null || descend(node) ? node.Inputs : ImmutableArray<Node>.Empty;
                if (next < inputs.Length)
                {
                    stack.Add((node, next + 1));
                    var input = inputs[next];
                    if (seen.Add(input)) stack.Add((input, 0));
                }
                else order.Add(node);
            }
        }
        return order;
    }
}
