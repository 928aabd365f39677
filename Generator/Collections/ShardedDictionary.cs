using System.Collections.Generic;

namespace Differentiable.Generator.Collections;

/// <summary>
/// A dictionary that splits into 64 dictionaries by key hash once it holds <see cref="SplitAt"/> entries, so no array it
/// allocates reaches the large-object heap (see <see cref="LargeObjectHeap"/>) below millions of entries, while a small
/// one costs what one dictionary does. Not enumerable: a split one would not keep insertion order, and generated code
/// must not depend on hash order.
/// </summary>
internal sealed class ShardedDictionary<TKey, TValue> where TKey : notnull
{
    /// <summary>A dictionary's entry array past this (24 bytes or more an entry, grown to the next prime past 2×) nears 85,000 bytes.</summary>
    private const int SplitAt = 1024;
    private const int ShardCount = 64;

    private readonly IEqualityComparer<TKey> _comparer;
    private Dictionary<TKey, TValue> _single;
    private Dictionary<TKey, TValue>[]? _shards;

    public ShardedDictionary(IEqualityComparer<TKey>? comparer = null)
    {
        _comparer = comparer ?? EqualityComparer<TKey>.Default;
        _single = new Dictionary<TKey, TValue>(_comparer);
    }

    public int Count { get; private set; }

    public TValue this[TKey key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The key '{key}' was not present.");
        set
        {
            var shard = ShardOf(key);
            var before = shard.Count;
            shard[key] = value;
            Grew(shard.Count - before);
        }
    }

    public bool TryGetValue(TKey key, out TValue value) => ShardOf(key).TryGetValue(key, out value!);

    public bool ContainsKey(TKey key) => ShardOf(key).ContainsKey(key);

    /// <summary>Adds the entry unless the key is there; true when it added.</summary>
    public bool TryAdd(TKey key, TValue value)
    {
        var shard = ShardOf(key);
        if (shard.ContainsKey(key)) return false;
        shard.Add(key, value);
        Grew(1);
        return true;
    }

    private Dictionary<TKey, TValue> ShardOf(TKey key) =>
        _shards is null ? _single : _shards[ShardIndex.Of(_comparer.GetHashCode(key), ShardCount)];

    private void Grew(int added)
    {
        Count += added;
        if (_shards is not null || Count < SplitAt) return;
        _shards = new Dictionary<TKey, TValue>[ShardCount];
        for (var i = 0; i < ShardCount; i++) _shards[i] = new Dictionary<TKey, TValue>(_comparer);
        foreach (var entry in _single) _shards[ShardIndex.Of(_comparer.GetHashCode(entry.Key), ShardCount)].Add(entry.Key, entry.Value);
        _single = null!;
    }
}

/// <summary>A set that splits like <see cref="ShardedDictionary{TKey, TValue}"/>.</summary>
internal sealed class ShardedSet<T> where T : notnull
{
    private readonly ShardedDictionary<T, bool> _entries;

    public ShardedSet(IEqualityComparer<T>? comparer = null) => _entries = new ShardedDictionary<T, bool>(comparer);

    public int Count => _entries.Count;

    /// <summary>True when it added the item (it was not there).</summary>
    public bool Add(T item) => _entries.TryAdd(item, true);

    public bool Contains(T item) => _entries.ContainsKey(item);
}

internal static class ShardIndex
{
    /// <summary>A shard from the hash's bits mixed (a node's hash is its id: consecutive), <paramref name="count"/> a power of two.</summary>
    public static int Of(int hash, int count)
    {
        unchecked
        {
            var h = (uint)hash * 0x9E3779B9u;
            return (int)(h >> 26) & (count - 1);
        }
    }
}
