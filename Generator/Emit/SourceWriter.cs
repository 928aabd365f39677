using System.Text;

namespace Differentiable.Generator.Emit;

/// <summary>Writes indented source text with LF line endings, whatever the platform, so output is byte-for-byte deterministic.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public SourceWriter(int indent = 0) => _indent = indent;

    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    /// <summary>A line made of <paramref name="prefix"/> and a slice of <paramref name="text"/>, copied in place.</summary>
    public SourceWriter Line(string prefix, string text, int start, int length)
    {
        _text.Append(' ', _indent * 4).Append(prefix).Append(text, start, length).Append('\n');
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

    public override string ToString() => _text.ToString();
}
