using System.Collections.Generic;
using Differentiable.Generator.IR;

namespace Differentiable.Generator.Collections;

/// <summary>
/// A table from the nodes of one graph to values, indexed by node id (ids are dense: a builder numbers its nodes from 0).
/// Faster than a dictionary (no hashing) and, kept in pages of <see cref="LargeObjectHeap.SafeLength"/>, it allocates no
/// large-object-heap array however large the graph. A table of a few nodes (a walk of one backward step, whose nodes
/// have the graph's largest ids) is a small dictionary until it holds <see cref="PagedFrom"/> of them. A node of
/// another graph with the same id is an internal error, never a wrong answer: each slot keeps its key. Not enumerable:
/// walk the graph's order instead.
/// </summary>
internal sealed class NodeMap<T>
{
    private const int Shift = LargeObjectHeap.SafeLengthShift;
    private const int PageLength = LargeObjectHeap.SafeLength;
    private const int Mask = PageLength - 1;

    /// <summary>Entries a table holds in a dictionary before it moves them to pages.</summary>
    public const int PagedFrom = 256;

    private Dictionary<Node, T>? _small = new();
    private Node?[]?[] _keys = System.Array.Empty<Node?[]?>();
    private T[]?[] _values = System.Array.Empty<T[]?>();

    public int Count { get; private set; }

    public T this[Node key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No entry for node {key}.");
        set => Store(key, value, overwrite: true);
    }

    public bool TryGetValue(Node key, out T value)
    {
        if (_small is not null) return _small.TryGetValue(key, out value!);
        var (page, slot) = (key.Id >> Shift, key.Id & Mask);
        if (page < _keys.Length && _keys[page] is { } keys && slot < keys.Length && keys[slot] is { } found)
        {
            if (!ReferenceEquals(found, key)) throw OtherGraph(key, found);
            value = _values[page]![slot];
            return true;
        }
        value = default!;
        return false;
    }

    public bool ContainsKey(Node key) => TryGetValue(key, out _);

    /// <summary>Adds the entry unless the node has one; true when it added.</summary>
    public bool TryAdd(Node key, T value) => Store(key, value, overwrite: false);

    private bool Store(Node key, T value, bool overwrite)
    {
        if (_small is not null)
        {
            if (_small.ContainsKey(key) && !overwrite) return false;
            _small[key] = value;
            Count = _small.Count;
            if (Count >= PagedFrom) MoveToPages();
            return true;
        }
        var (page, slot) = (key.Id >> Shift, key.Id & Mask);
        if (page >= _keys.Length)
        {
            var length = System.Math.Max(page + 1, System.Math.Max(4, _keys.Length * 2));
            System.Array.Resize(ref _keys, length);
            System.Array.Resize(ref _values, length);
        }
        var keys = _keys[page];
        if (keys is null || slot >= keys.Length)
        {
            // Page 0 grows to the next power of two past the id (a small graph's table stays small); later pages are whole.
            var size = page > 0 ? PageLength : System.Math.Min(PageLength, System.Math.Max(16, NextPowerOfTwo(slot + 1)));
            var values = _values[page];
            System.Array.Resize(ref keys, size);
            System.Array.Resize(ref values, size);
            (_keys[page], _values[page]) = (keys, values);
        }
        if (keys[slot] is { } found)
        {
            if (!ReferenceEquals(found, key)) throw OtherGraph(key, found);
            if (!overwrite) return false;
        }
        else
        {
            keys[slot] = key;
            Count++;
        }
        _values[page]![slot] = value;
        return true;
    }

    private void MoveToPages()
    {
        var entries = _small!;
        (_small, Count) = (null, 0);
        foreach (var entry in entries) Store(entry.Key, entry.Value, overwrite: true);
    }

    private static int NextPowerOfTwo(int n)
    {
        var p = 1;
        while (p < n) p <<= 1;
        return p;
    }

    private static System.InvalidOperationException OtherGraph(Node key, Node found) =>
        new($"Internal error: node {key} and node {found} of another graph share a table (nodes of one graph only).");
}

/// <summary>A set of the nodes of one graph, kept like <see cref="NodeMap{T}"/>: a hash set while small, then pages.</summary>
internal sealed class NodeSet
{
    private HashSet<Node>? _small = new();
    private NodeMap<bool>? _paged;

    public NodeSet() { }

    public NodeSet(IEnumerable<Node> nodes)
    {
        foreach (var node in nodes) Add(node);
    }

    public int Count => _small?.Count ?? _paged!.Count;

    /// <summary>True when it added the node (it was not there).</summary>
    public bool Add(Node node)
    {
        if (_small is null) return _paged!.TryAdd(node, true);
        if (!_small.Add(node)) return false;
        if (_small.Count >= NodeMap<bool>.PagedFrom)
        {
            _paged = new NodeMap<bool>();
            foreach (var member in _small) _paged.TryAdd(member, true);
            _small = null;
        }
        return true;
    }

    public bool Contains(Node node) => _small?.Contains(node) ?? _paged!.ContainsKey(node);
}
