using System.Text;

namespace Differentiable.Generator.Emit;

/// <summary>Writes indented source text with LF line endings, whatever the platform, so output is byte-for-byte deterministic.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    public SourceWriter Open(string line = "{")
    {
        Line(line);
        _indent++;
        return this;
    }

    public SourceWriter Close(string line = "}")
    {
        _indent--;
        return Line(line);
    }

    public override string ToString() => _text.ToString();
}
