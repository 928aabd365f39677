using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace Differentiable.Generator.Emit;

/// <summary>
/// A generated file as the compiler reads it, over the chunks its <see cref="ChunkedText"/> was written into: no copy
/// (see <see cref="ChunkedText"/>). Roslyn reads a text through <see cref="CopyTo"/> in blocks, and through the indexer.
/// The text is frozen when this is made: an append after it throws rather than change what the compiler reads.
/// </summary>
internal sealed class ChunkedSourceText : SourceText
{
    private readonly ChunkedText _text;
    private readonly int _length;

    public ChunkedSourceText(ChunkedText text) : base(checksumAlgorithm: SourceHashAlgorithm.Sha1)
    {
        text.Freeze();
        _text = text;
        _length = text.Length;
    }

    /// <summary>UTF-8, as <c>SourceText.From(text, Encoding.UTF8)</c> would say (the driver requires an encoding).</summary>
    public override Encoding Encoding => Encoding.UTF8;

    public override int Length => _length;

    public override char this[int position]
    {
        get
        {
            if ((uint)position >= (uint)_length) throw new System.ArgumentOutOfRangeException(nameof(position));
            return _text[position];
        }
    }

    public override void CopyTo(int sourceIndex, char[] destination, int destinationIndex, int count)
    {
        if (sourceIndex < 0 || count < 0 || sourceIndex > _length - count) throw new System.ArgumentOutOfRangeException(nameof(count));
        _text.CopyTo(sourceIndex, destination, destinationIndex, count);
    }
}
