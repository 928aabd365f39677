using System.Collections;
using System.Collections.Generic;

namespace Differentiable.Generator.Collections;

/// <summary>
/// A list kept in fixed segments (see <see cref="LargeObjectHeap"/>): appending never copies what is there, and no array
/// it allocates reaches the large-object heap. Also a stack (<see cref="Peek"/>, <see cref="Pop"/>).
/// </summary>
internal sealed class SegmentedList<T> : IReadOnlyList<T>
{
    private const int Shift = LargeObjectHeap.SafeLengthShift;
    private const int SegmentLength = LargeObjectHeap.SafeLength;
    private const int Mask = SegmentLength - 1;

    private readonly List<T[]> _segments = new(1);

    public int Count { get; private set; }

    public T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new System.ArgumentOutOfRangeException(nameof(index));
            return _segments[index >> Shift][index & Mask];
        }
        set
        {
            if ((uint)index >= (uint)Count) throw new System.ArgumentOutOfRangeException(nameof(index));
            _segments[index >> Shift][index & Mask] = value;
        }
    }

    public void Add(T item)
    {
        var segment = Count >> Shift;
        if (segment == _segments.Count)
            // The first segment grows like a list's array (small graphs stay small); later ones are allocated whole.
            _segments.Add(new T[segment == 0 ? 8 : SegmentLength]);
        else if (segment == 0 && Count == _segments[0].Length)
        {
            var grown = new T[System.Math.Min(SegmentLength, Count * 2)];
            System.Array.Copy(_segments[0], grown, Count);
            _segments[0] = grown;
        }
        _segments[segment][Count & Mask] = item;
        Count++;
    }

    public T Peek() => this[Count - 1];

    public T Pop()
    {
        var item = Peek();
        Count--;
        _segments[Count >> Shift][Count & Mask] = default!;   // no stale references
        return item;
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Enumerates without allocating (a <c>foreach</c> over the list itself).</summary>
    public struct Enumerator : IEnumerator<T>
    {
        private readonly SegmentedList<T> _list;
        private int _index;

        internal Enumerator(SegmentedList<T> list)
        {
            _list = list;
            _index = -1;
        }

        public T Current => _list._segments[_index >> Shift][_index & Mask];

        object? IEnumerator.Current => Current;

        public bool MoveNext() => ++_index < _list.Count;

        public void Reset() => _index = -1;

        public void Dispose() { }
    }
}
