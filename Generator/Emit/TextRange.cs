namespace Differentiable.Generator.Emit;

/// <summary>
/// Part of a <see cref="ChunkedText"/>, read in blocks. A method's generated C#, CUDA and device program are each
/// megabytes on a large body: turned into strings to be copied into the file, they would land on the large-object heap,
/// whose collections mark the whole compilation. Read through a block buffer instead.
/// </summary>
internal readonly struct TextRange
{
    private readonly ChunkedText _text;

    public TextRange(ChunkedText text, int start, int end)
    {
        _text = text;
        Start = start;
        End = end;
    }

    public int Start { get; }
    public int End { get; }

    /// <summary>The text the range is part of.</summary>
    public ChunkedText Text => _text;

    /// <summary>The same range without the newlines it ends with.</summary>
    public TextRange TrimEndNewlines()
    {
        var end = End;
        while (end > Start && _text[end - 1] == '\n') end--;
        return new TextRange(_text, Start, end);
    }

    /// <summary>The blocks of the range in order (<paramref name="buffer"/> is refilled between them).</summary>
    public BlockReader Blocks(char[] buffer) => new(_text, Start, End, buffer);

    /// <summary>The lines of the range (split at '\n'; n newlines make n + 1 lines, the last one possibly empty).</summary>
    public LineReader Lines() => new(_text, Start, End);
}

/// <summary>Copies a range of a text into a buffer, block after block.</summary>
internal struct BlockReader
{
    private readonly ChunkedText _text;
    private readonly int _end;
    private int _position;

    public BlockReader(ChunkedText text, int start, int end, char[] buffer)
    {
        _text = text;
        _position = start;
        _end = end;
        Buffer = buffer;
        Length = 0;
    }

    public char[] Buffer { get; }
    public int Length { get; private set; }

    public bool Next()
    {
        Length = System.Math.Min(Buffer.Length, _end - _position);
        if (Length <= 0) return false;
        _text.CopyTo(_position, Buffer, 0, Length);
        _position += Length;
        return true;
    }
}

/// <summary>The lines of a range, one at a time, in <see cref="Line"/>[0..<see cref="Length"/>) (no newline).</summary>
internal sealed class LineReader
{
    private BlockReader _blocks;
    private int _at;
    private bool _done;

    public LineReader(ChunkedText text, int start, int end) => _blocks = new BlockReader(text, start, end, new char[4096]);

    /// <summary>Starts over on <paramref name="range"/>, keeping this reader's buffers (a reader per part read costs 8 KB).</summary>
    public LineReader Over(TextRange range)
    {
        _blocks = new BlockReader(range.Text, range.Start, range.End, _blocks.Buffer);
        (_at, _done, Length) = (0, false, 0);
        return this;
    }

    public char[] Line { get; private set; } = new char[256];
    public int Length { get; private set; }

    public bool Next()
    {
        if (_done) return false;
        Length = 0;
        while (true)
        {
            if (_at == _blocks.Length)
            {
                if (!_blocks.Next())
                {
                    // The range ended: what was read since the last newline is the last line.
                    _done = true;
                    return true;
                }
                _at = 0;
            }
            var block = _blocks.Buffer;
            var newline = System.Array.IndexOf(block, '\n', _at, _blocks.Length - _at);
            var stop = newline < 0 ? _blocks.Length : newline;
            Append(block, _at, stop - _at);
            _at = newline < 0 ? stop : newline + 1;
            if (newline >= 0) return true;
        }
    }

    private void Append(char[] source, int start, int count)
    {
        if (Length + count > Line.Length)
        {
            var grown = new char[System.Math.Max(Line.Length * 2, Length + count)];
            System.Array.Copy(Line, grown, Length);
            Line = grown;
        }
        System.Array.Copy(source, start, Line, Length, count);
        Length += count;
    }
}
