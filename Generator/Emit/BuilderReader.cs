using System.IO;
using System.Text;

namespace Differentiable.Generator.Emit;

/// <summary>
/// Reads a <see cref="StringBuilder"/> as a <see cref="TextReader"/>, so a generated file becomes a
/// <see cref="Microsoft.CodeAnalysis.Text.SourceText"/> without first becoming one string: a large class's file is
/// megabytes, and that string (plus the compiler's copy of it) lands on the large-object heap, whose collections mark the
/// whole compilation. <c>SourceText.From(reader, length, ...)</c> keeps a long text in chunks below that heap's threshold.
/// </summary>
internal sealed class BuilderReader : TextReader
{
    private readonly StringBuilder _text;
    private int _position;

    public BuilderReader(StringBuilder text) => _text = text;

    public override int Peek() => _position < _text.Length ? _text[_position] : -1;

    public override int Read() => _position < _text.Length ? _text[_position++] : -1;

    public override int Read(char[] buffer, int index, int count)
    {
        var n = System.Math.Min(count, _text.Length - _position);
        if (n <= 0) return 0;
        _text.CopyTo(_position, buffer, index, n);
        _position += n;
        return n;
    }
}
