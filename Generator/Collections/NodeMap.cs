using System.Collections.Generic;
using Differentiable.Generator.IR;

namespace Differentiable.Generator.Collections;

/// <summary>
/// A table from the nodes of one graph to values, indexed by node id (ids are dense: a builder numbers its nodes from 0).
/// Faster than a dictionary (no hashing) and, kept in pages of <see cref="LargeObjectHeap.SafeLength"/>, it allocates no
/// large-object-heap array however large the graph. A table of a few nodes (a walk of one backward step, whose nodes
/// have the graph's largest ids) is a small dictionary until it holds <see cref="PagedFrom"/> of them. Which ids are
/// present is a bit per id (<see cref="NodeBits"/>), not the key itself: a page of keys was the largest thing the
/// generator allocated on a long body (a page of references per table, which every collection during a run also
/// scanned). A node of another graph than the one the pages hold (whose id may be taken) goes to a dictionary of its own:
/// slower, never wrong. Not enumerable: walk the graph's order instead.
/// </summary>
internal sealed class NodeMap<T>
{
    /// <summary>Entries a table holds in a dictionary before it moves them to pages.</summary>
    public const int PagedFrom = 256;

    private Dictionary<Node, T>? _small = new();
    private NodeBits _present;
    private T[]?[] _values = System.Array.Empty<T[]?>();
    private Dictionary<Node, T>? _foreign;

    public int Count { get; private set; }

    public T this[Node key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No entry for node {key}.");
        set => Store(key, value, overwrite: true);
    }

    public bool TryGetValue(Node key, out T value)
    {
        if (_small is not null) return _small.TryGetValue(key, out value!);
        if (!_present.Holds(key)) return TryGetForeign(key, out value);
        if (_present.Contains(key))
        {
            value = _values[key.Id >> NodeBits.Shift]![key.Id & NodeBits.Mask];
            return true;
        }
        value = default!;
        return false;
    }

    private bool TryGetForeign(Node key, out T value)
    {
        if (_foreign is not null) return _foreign.TryGetValue(key, out value!);
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
            if (Count >= PagedFrom) MoveToPages(key);
            return true;
        }
        if (!_present.Holds(key))
        {
            _foreign ??= new Dictionary<Node, T>();
            var known = _foreign.ContainsKey(key);
            if (known && !overwrite) return false;
            if (!known) Count++;
            _foreign[key] = value;
            return true;
        }
        var (page, slot) = (key.Id >> NodeBits.Shift, key.Id & NodeBits.Mask);
        var added = _present.Add(key);
        if (!added && !overwrite) return false;
        if (added) Count++;
        if (page >= _values.Length) System.Array.Resize(ref _values, _present.PageCount);
        var values = _values[page];
        if (values is null || slot >= values.Length)
        {
            System.Array.Resize(ref values, _present.PageLength(page));
            _values[page] = values;
        }
        values[slot] = value;
        return true;
    }

    /// <summary>The pages hold the graph of <paramref name="last"/>, the node that filled the dictionary (any other goes to the foreign one).</summary>
    private void MoveToPages(Node last)
    {
        var entries = _small!;
        (_small, Count, _present) = (null, 0, new NodeBits(last.Graph));
        foreach (var entry in entries) Store(entry.Key, entry.Value, overwrite: true);
    }
}

/// <summary>A set of the nodes of one graph, kept like <see cref="NodeMap{T}"/>: a hash set while small, then a bit per id.</summary>
internal sealed class NodeSet
{
    private HashSet<Node>? _small = new();
    private NodeBits _present;
    private HashSet<Node>? _foreign;

    public NodeSet() { }

    public NodeSet(IEnumerable<Node> nodes)
    {
        foreach (var node in nodes) Add(node);
    }

    public int Count { get; private set; }

    /// <summary>True when it added the node (it was not there).</summary>
    public bool Add(Node node)
    {
        if (_small is not null)
        {
            if (!_small.Add(node)) return false;
            Count = _small.Count;
            if (Count >= NodeMap<bool>.PagedFrom)
            {
                var members = _small;
                (_small, _present) = (null, new NodeBits(node.Graph));
                foreach (var member in members) AddPaged(member);
            }
            return true;
        }
        if (!AddPaged(node)) return false;
        Count++;
        return true;
    }

    private bool AddPaged(Node node) => _present.Holds(node) ? _present.Add(node) : (_foreign ??= new HashSet<Node>()).Add(node);

    public bool Contains(Node node) =>
        _small?.Contains(node) ?? (_present.Holds(node) ? _present.Contains(node) : _foreign?.Contains(node) == true);

    /// <summary>Whether any of <paramref name="nodes"/> is in the set (a loop: <c>Inputs.Any(set.Contains)</c> allocated a delegate and an enumerator per node).</summary>
    public bool ContainsAny(System.Collections.Immutable.ImmutableArray<Node> nodes)
    {
        foreach (var node in nodes)
            if (Contains(node)) return true;
        return false;
    }
}

/// <summary>
/// Which ids of one graph's nodes are present: a bit per id, in pages of <see cref="LargeObjectHeap.SafeLength"/> ids
/// (page 0 grows with the largest id it has seen, so a small graph's table stays small). A node of another graph is not
/// held here (<see cref="Holds"/>): the tables keep those apart.
/// </summary>
internal struct NodeBits
{
    public const int Shift = LargeObjectHeap.SafeLengthShift;
    public const int Mask = LargeObjectHeap.SafeLength - 1;

    private readonly int _graph;
    private ulong[]?[]? _pages;

    public NodeBits(int graph) => (_graph, _pages) = (graph, System.Array.Empty<ulong[]?>());

    /// <summary>Whether <paramref name="node"/> is of the graph these bits are for.</summary>
    public readonly bool Holds(Node node) => node.Graph == _graph;

    /// <summary>How many pages a table of values needs for the ids seen so far.</summary>
    public readonly int PageCount => _pages!.Length;

    /// <summary>How many values page <paramref name="page"/> needs: the ids its bits cover.</summary>
    public readonly int PageLength(int page) => _pages![page]!.Length * 64;

    public readonly bool Contains(Node node)
    {
        var (page, slot) = (node.Id >> Shift, node.Id & Mask);
        return page < _pages!.Length && _pages[page] is { } bits && (slot >> 6) < bits.Length && (bits[slot >> 6] & (1UL << slot)) != 0;
    }

    /// <summary>Marks the node present; true when it was not.</summary>
    public bool Add(Node node)
    {
        var (page, slot) = (node.Id >> Shift, node.Id & Mask);
        if (page >= _pages!.Length) System.Array.Resize(ref _pages, System.Math.Max(page + 1, System.Math.Max(4, _pages.Length * 2)));
        var bits = _pages[page];
        if (bits is null || (slot >> 6) >= bits.Length)
        {
            // Page 0 grows to the next power of two past the id; later pages are whole.
            var words = page > 0 ? LargeObjectHeap.SafeLength / 64 : System.Math.Min(LargeObjectHeap.SafeLength, System.Math.Max(64, NextPowerOfTwo(slot + 1))) / 64;
            System.Array.Resize(ref bits, words);
            _pages[page] = bits;
        }
        var mask = 1UL << slot;
        if ((bits[slot >> 6] & mask) != 0) return false;
        bits[slot >> 6] |= mask;
        return true;
    }

    private static int NextPowerOfTwo(int n)
    {
        var p = 1;
        while (p < n) p <<= 1;
        return p;
    }
}
