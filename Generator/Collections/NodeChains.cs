using Differentiable.Generator.IR;

namespace Differentiable.Generator.Collections;

/// <summary>
/// Values per node, in the order they were added, chained through one segmented list: what a list per node would hold
/// (a node's contributions to its adjoint, the backward steps that target it), without the list and its array for each of
/// a long body's thousands of nodes, and without large-object-heap arrays (see <see cref="LargeObjectHeap"/>).
/// </summary>
internal sealed class NodeChains<T>
{
    private readonly NodeMap<(int First, int Last)> _ends = new();
    private readonly SegmentedList<(T Value, int Next)> _links = new();

    /// <summary>Appends <paramref name="value"/> to <paramref name="key"/>'s values; returns its position among all values added.</summary>
    public int Add(Node key, T value)
    {
        var index = _links.Count;
        _links.Add((value, -1));
        if (_ends.TryGetValue(key, out var ends))
        {
            _links[ends.Last] = (_links[ends.Last].Value, index);
            _ends[key] = (ends.First, index);
        }
        else _ends[key] = (index, index);
        return index;
    }

    /// <summary>Whether the value added at <paramref name="index"/> is <paramref name="key"/>'s last.</summary>
    public bool IsLast(Node key, int index) => _ends.TryGetValue(key, out var ends) && ends.Last == index;

    /// <summary><paramref name="key"/>'s values in the order added (none when it has none), for <c>foreach</c>.</summary>
    public Values Of(Node key) => new(_links, _ends.TryGetValue(key, out var ends) ? ends.First : -1);

    /// <summary>A walk along one node's chain: a struct, so a <c>foreach</c> over it allocates nothing.</summary>
    public struct Values
    {
        private readonly SegmentedList<(T Value, int Next)> _links;
        private int _next;

        internal Values(SegmentedList<(T Value, int Next)> links, int first) => (_links, _next, Current) = (links, first, default!);

        public T Current { get; private set; }

        public readonly Values GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_next < 0) return false;
            (Current, _next) = _links[_next];
            return true;
        }
    }
}
