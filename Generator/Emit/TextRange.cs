using System.Text;

namespace Differentiable.Generator.Emit;

/// <summary>
/// Part of a <see cref="StringBuilder"/>, read in blocks. A method's generated C#, CUDA and device program are each
/// megabytes on a large body: turned into strings to be copied into the file, they land on the large-object heap, whose
/// collections mark the whole compilation. Read through a block buffer instead (the builder's indexer walks its chunks
/// from the end, so reading it character by character would be quadratic).
/// </summary>
internal readonly struct TextRange
{
    private readonly StringBuilder _text;

    public TextRange(StringBuilder text, int start, int end)
    {
        _text = text;
        Start = start;
        End = end;
    }

    public int Start { get; }
    public int End { get; }

    /// <summary>The builder the range is part of.</summary>
    public StringBuilder Text => _text;

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

/// <summary>Copies a range of a builder into a buffer, block after block.</summary>
internal struct BlockReader
{
    private readonly StringBuilder _text;
    private readonly int _end;
    private int _position;

    public BlockReader(StringBuilder text, int start, int end, char[] buffer)
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

    public LineReader(StringBuilder text, int start, int end) => _blocks = new BlockReader(text, start, end, new char[4096]);

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

/// <summary>
/// A range read as a <see cref="System.IO.TextReader"/>, for <c>SourceText.From(reader, length, encoding)</c>: a large
/// generated file reaches the compiler as Roslyn's chunked text instead of one string of megabytes, which would land on
/// the large-object heap (zeroed fresh pages, and a full collection each time that heap's budget runs out).
/// </summary>
internal sealed class TextRangeReader : System.IO.TextReader
{
    private readonly StringBuilder _text;
    private readonly int _end;
    private int _position;

    public TextRangeReader(TextRange range)
    {
        (_text, _position, _end) = (range.Text, range.Start, range.End);
    }

    public override int Peek() => _position < _end ? _text[_position] : -1;

    public override int Read() => _position < _end ? _text[_position++] : -1;

    public override int Read(char[] buffer, int index, int count)
    {
        count = System.Math.Min(count, _end - _position);
        if (count <= 0) return 0;
        _text.CopyTo(_position, buffer, index, count);
        _position += count;
        return count;
    }
}
