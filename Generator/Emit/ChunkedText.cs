using System.Collections.Generic;

namespace Differentiable.Generator.Emit;

/// <summary>
/// Append-only text kept in chunks of <see cref="ChunkSize"/> characters: what a <see cref="SourceWriter"/> writes into.
/// A generated file is megabytes on a large body. Kept in chunks, each below the large-object heap's threshold, it
/// reaches the compiler as a <see cref="ChunkedSourceText"/> over these same arrays; a StringBuilder's text had to be
/// copied once more into Roslyn's own chunked text (a tenth of what the generator allocated on a 1,000-statement body).
/// Full-size chunks come from <see cref="ChunkPool"/>, and a frozen text's chunks go back there once it is collected.
/// </summary>
internal sealed class ChunkedText
{
    /// <summary>Characters per chunk: 32 KB arrays, below the large-object heap's 85,000 bytes.</summary>
    public const int ChunkSize = 1 << ChunkBits;
    public const int ChunkBits = 14;
    private const int Mask = ChunkSize - 1;

    /// <summary>Chunks of <see cref="ChunkSize"/>; the first starts small and doubles up to that size (most writers stay small).</summary>
    private readonly List<char[]> _chunks = new();

    /// <summary>Whether the first chunk is a full-size one from the pool (see <see cref="ChunkedText(bool)"/>).</summary>
    private readonly bool _scratch;

    /// <param name="scratch">
    /// Text written to be copied elsewhere and recycled at once (<see cref="AppendAndRecycle"/>): its first chunk comes from
    /// the pool full-size instead of starting small and doubling, which allocated a few arrays per part per method.
    /// </param>
    public ChunkedText(bool scratch = false) => _scratch = scratch;

    public int Length { get; private set; }

    /// <summary>Set when the text is handed to the compiler (<see cref="ChunkedSourceText"/>): from then on it never changes.</summary>
    public bool IsFrozen { get; private set; }

    /// <summary>
    /// Freezes the text and, from then on, ties its full-size chunks to its lifetime: when neither it nor its
    /// <see cref="ChunkedSourceText"/> can be reached, the chunks go back to <see cref="ChunkPool"/>.
    /// </summary>
    public void Freeze()
    {
        if (IsFrozen) return;
        IsFrozen = true;
        _recycler = new ChunkRecycler(_chunks.ToArray());
    }

    /// <summary>Held for its lifetime: while this text can be reached, its chunks stay out of the pool.</summary>
    private ChunkRecycler? _recycler;

    /// <summary>Whether the chunks go back to the pool once the text is collected (it is frozen).</summary>
    public bool RecyclesChunks => _recycler is not null;

    public char this[int index] => _chunks[index >> ChunkBits][index & Mask];

    /// <summary>The chunks as they are now: the text's first <see cref="Length"/> characters, <see cref="ChunkSize"/> to a chunk.</summary>
    public IReadOnlyList<char[]> Chunks => _chunks;

    public ChunkedText Append(char c)
    {
        Room(1)[Length & Mask] = c;
        Length++;
        return this;
    }

    public ChunkedText Append(char c, int repeat)
    {
        while (repeat > 0)
        {
            var chunk = Room(repeat);
            var at = Length & Mask;
            var n = System.Math.Min(repeat, ChunkSize - at);
            for (var k = 0; k < n; k++) chunk[at + k] = c;
            Length += n;
            repeat -= n;
        }
        return this;
    }

    public ChunkedText Append(string text) => Append(text, 0, text.Length);

    public ChunkedText Append(string text, int start, int count)
    {
        while (count > 0)
        {
            var chunk = Room(count);
            var at = Length & Mask;
            var n = System.Math.Min(count, ChunkSize - at);
            text.CopyTo(start, chunk, at, n);
            (Length, start, count) = (Length + n, start + n, count - n);
        }
        return this;
    }

    public ChunkedText Append(char[] text, int start, int count)
    {
        while (count > 0)
        {
            var chunk = Room(count);
            var at = Length & Mask;
            var n = System.Math.Min(count, ChunkSize - at);
            System.Array.Copy(text, start, chunk, at, n);
            (Length, start, count) = (Length + n, start + n, count - n);
        }
        return this;
    }

    /// <summary>
    /// Appends all of <paramref name="part"/>, then hands its full-size chunks back to <see cref="ChunkPool"/> and empties
    /// it: a part written on its own (on another thread, see <see cref="Offloaded{T}"/>) and read by nothing else.
    /// </summary>
    public ChunkedText AppendAndRecycle(ChunkedText part)
    {
        if (part.IsFrozen) throw new System.InvalidOperationException("A frozen text can be read by the compiler; its chunks cannot be recycled.");
        for (int i = 0, left = part.Length; left > 0; i++, left -= ChunkSize)
            Append(part._chunks[i], 0, System.Math.Min(left, ChunkSize));
        ChunkPool.Return(part._chunks.ToArray());
        part._chunks.Clear();
        part.Length = 0;
        return this;
    }

    /// <summary>Drops what was written after <paramref name="length"/> (the chunks stay, to be written over).</summary>
    public void Truncate(int length)
    {
        if (IsFrozen) throw new System.InvalidOperationException("The text was handed to the compiler; it cannot change.");
        if (length < 0 || length > Length) throw new System.ArgumentOutOfRangeException(nameof(length));
        Length = length;
    }

    public void CopyTo(int sourceIndex, char[] destination, int destinationIndex, int count)
    {
        if (sourceIndex < 0 || count < 0 || sourceIndex + count > Length) throw new System.ArgumentOutOfRangeException(nameof(count));
        while (count > 0)
        {
            var at = sourceIndex & Mask;
            var n = System.Math.Min(count, ChunkSize - at);
            System.Array.Copy(_chunks[sourceIndex >> ChunkBits], at, destination, destinationIndex, n);
            (sourceIndex, destinationIndex, count) = (sourceIndex + n, destinationIndex + n, count - n);
        }
    }

    public override string ToString()
    {
        var all = new char[Length];
        CopyTo(0, all, 0, Length);
        return new string(all);
    }

    /// <summary>
    /// The chunk the next character goes in, with room for <paramref name="wanted"/> more characters or up to the chunk's
    /// end, whichever comes first (what the appends copy into it before they move to the next chunk).
    /// </summary>
    private char[] Room(int wanted)
    {
        if (IsFrozen) throw new System.InvalidOperationException("The text was handed to the compiler; it cannot change.");
        var index = Length >> ChunkBits;
        var at = Length & Mask;
        var needed = at + System.Math.Min(wanted, ChunkSize - at);
        if (index == _chunks.Count)
        {
            // Only the first chunk starts small: a text that reached a second one is a large one.
            _chunks.Add(index == 0 && !_scratch ? new char[System.Math.Max(needed, 256)] : ChunkPool.Rent());
            return _chunks[index];
        }
        var chunk = _chunks[index];
        if (chunk.Length >= needed) return chunk;
        var size = System.Math.Min(ChunkSize, System.Math.Max(chunk.Length * 2, needed));
        var grown = size == ChunkSize ? ChunkPool.Rent() : new char[size];
        System.Array.Copy(chunk, grown, at);
        return _chunks[index] = grown;
    }
}
