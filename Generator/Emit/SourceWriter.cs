namespace Differentiable.Generator.Emit;

/// <summary>Writes indented source text with LF line endings, whatever the platform, so output is byte-for-byte deterministic.</summary>
internal sealed class SourceWriter
{
    private readonly ChunkedText _text;
    private int _indent;

    public SourceWriter(int indent = 0) : this(indent, scratch: false) { }

    private SourceWriter(int indent, bool scratch) => (_indent, _text) = (indent, new ChunkedText(scratch));

    /// <summary>A writer for a part of a file, to be copied into it with <see cref="AppendAndRecycle"/> (its text is pooled from the start).</summary>
    public static SourceWriter Part(int indent) => new(indent, scratch: true);

    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    /// <summary>The start of a line: the indentation and <paramref name="text"/>; the caller appends the rest and its newline.</summary>
    public SourceWriter StartLine(string text)
    {
        _text.Append(' ', _indent * 4).Append(text);
        return this;
    }

    /// <summary>Appends <paramref name="text"/> as a regular C# string literal (<see cref="InspectionWriter.Literal"/>), escaped in place.</summary>
    public SourceWriter AppendLiteral(string text)
    {
        InspectionWriter.Escape(_text, text);
        return this;
    }

    /// <summary>Appends <paramref name="text"/> escaped as inside a string literal, without its quotes (see <see cref="InspectionWriter.EscapeInto"/>).</summary>
    public SourceWriter AppendEscaped(string text)
    {
        InspectionWriter.EscapeInto(_text, text);
        return this;
    }

    /// <summary>Writes <paramref name="header"/>, then an opening brace, and indents what follows.</summary>
    public SourceWriter Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return this;
    }

    /// <summary>A bare <c>{</c>: a nested block.</summary>
    public SourceWriter OpenBlock()
    {
        Line("{");
        _indent++;
        return this;
    }

    public SourceWriter Close(string line = "}")
    {
        _indent--;
        return Line(line);
    }

    /// <summary>Appends text another writer produced (at the same indentation).</summary>
    public SourceWriter Append(string text)
    {
        _text.Append(text);
        return this;
    }

    /// <summary>Appends part of <paramref name="text"/>, without a copy of it.</summary>
    public SourceWriter Append(string text, int start, int length)
    {
        _text.Append(text, start, length);
        return this;
    }

    /// <summary>Appends what <paramref name="part"/> wrote (started at this writer's indentation) and recycles its text: <paramref name="part"/> is spent.</summary>
    public SourceWriter AppendAndRecycle(SourceWriter part)
    {
        _text.AppendAndRecycle(part._text);
        return this;
    }

    public override string ToString() => _text.ToString();

    /// <summary>How many characters have been written: a mark to read a <see cref="Range"/> from, or to <see cref="Truncate"/> back to.</summary>
    public int Length => _text.Length;

    /// <summary>The indentation now, to restore with <see cref="Truncate"/> after a failure left it anywhere.</summary>
    public int Indent => _indent;

    /// <summary>Drops what was written after <paramref name="length"/> and restores <paramref name="indent"/>: a member that failed halfway leaves nothing.</summary>
    public void Truncate(int length, int indent)
    {
        _text.Truncate(length);
        _indent = indent;
    }

    /// <summary>What was written from <paramref name="start"/> on, to read back in blocks (see <see cref="TextRange"/>).</summary>
    public TextRange Range(int start = 0) => new(_text, start, _text.Length);

    /// <summary>All that was written, as the compiler reads a generated file; the writer must not be written to after.</summary>
    public Microsoft.CodeAnalysis.Text.SourceText ToSourceText() => new ChunkedSourceText(_text);

    /// <summary>A line made of <paramref name="prefix"/> and <paramref name="text"/>[<paramref name="start"/>, + <paramref name="length"/>).</summary>
    public SourceWriter Line(string prefix, char[] text, int start, int length)
    {
        _text.Append(' ', _indent * 4).Append(prefix).Append(text, start, length).Append('\n');
        return this;
    }

    /// <summary>
    /// Appends <paramref name="text"/> as the body of a C# verbatim string (<c>"</c> doubled), without its leading
    /// newlines: what <c>Append(text.ToString().TrimStart('\n').Replace("\"", "\"\""))</c> writes, without the copies
    /// (a method's CUDA source is a third of its generated code).
    /// </summary>
    public SourceWriter AppendVerbatim(TextRange text)
    {
        var blocks = text.Blocks(new char[4096]);
        var leading = true;
        while (blocks.Next())
        {
            var block = blocks.Buffer;
            var start = 0;
            if (leading)
            {
                while (start < blocks.Length && block[start] == '\n') start++;
                leading = start == blocks.Length;
            }
            for (int quote; (quote = System.Array.IndexOf(block, '"', start, blocks.Length - start)) >= 0; start = quote + 1)
                _text.Append(block, start, quote - start).Append("\"\"");
            _text.Append(block, start, blocks.Length - start);
        }
        return this;
    }
}
