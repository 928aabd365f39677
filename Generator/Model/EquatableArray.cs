using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;

namespace Differentiable.Generator.Model;

/// <summary>
/// An immutable array compared by its elements, so pipeline models made of it stay equal across
/// compilations and the incremental generator can cache them (ImmutableArray compares by reference).
/// </summary>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    public static readonly EquatableArray<T> Empty = new(ImmutableArray<T>.Empty);

    private readonly ImmutableArray<T> _items;

    public EquatableArray(ImmutableArray<T> items) => _items = items;

    public EquatableArray(IEnumerable<T> items) => _items = items.ToImmutableArray();

    private ImmutableArray<T> Items => _items.IsDefault ? ImmutableArray<T>.Empty : _items;

    public int Count => Items.Length;

    public T this[int index] => Items[index];

    public bool Equals(EquatableArray<T> other)
    {
        var a = Items;
        var b = other.Items;
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
            if (!EqualityComparer<T>.Default.Equals(a[i], b[i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = 17;
        foreach (var item in Items) hash = unchecked(hash * 31 + (item?.GetHashCode() ?? 0));
        return hash;
    }

    /// <summary>The position of <paramref name="item"/>, or int.MaxValue (sorts after everything) when it is absent.</summary>
    public int OrderOf(T item)
    {
        for (var i = 0; i < Items.Length; i++)
            if (EqualityComparer<T>.Default.Equals(Items[i], item)) return i;
        return int.MaxValue;
    }

    public ImmutableArray<T>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable)Items).GetEnumerator();

    public static implicit operator EquatableArray<T>(ImmutableArray<T> items) => new(items);
}
