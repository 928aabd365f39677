using System.Text;
using Differentiable.Generator.Emit;
using Microsoft.CodeAnalysis.Text;

namespace Differentiable.Tests.Generator;

/// <summary>
/// The text the generator writes into and hands to the compiler: every append, truncation and read agrees with a
/// StringBuilder doing the same, across chunk boundaries, and the compiler's view of it (SourceText: lines, checksum,
/// sub-texts, equality) is what <c>SourceText.From</c> of the same string gives.
/// </summary>
public class ChunkedTextTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_appends_and_truncations_agree_with_a_StringBuilder(int seed)
    {
        var random = new Random(seed);
        var text = new ChunkedText();
        var expected = new StringBuilder();
        // Long enough to cross several chunks, with appends that straddle their boundaries.
        while (expected.Length < 5 * ChunkedText.ChunkSize)
        {
            var piece = new string((char)('a' + random.Next(26)), random.Next(1, 3 * ChunkedText.ChunkSize / 2));
            switch (random.Next(5))
            {
                case 0: text.Append(piece[0]); expected.Append(piece[0]); break;
                case 1: text.Append(piece[0], piece.Length); expected.Append(piece[0], piece.Length); break;
                case 2: text.Append(piece); expected.Append(piece); break;
                case 3: text.Append(piece.ToCharArray(), 1, piece.Length - 1); expected.Append(piece, 1, piece.Length - 1); break;
                default:
                    var length = random.Next(expected.Length + 1);
                    text.Truncate(length);
                    expected.Length = length;
                    break;
            }
            Assert.Equal(expected.Length, text.Length);
        }
        Assert.Equal(expected.ToString(), text.ToString());
        for (var k = 0; k < 200; k++)
        {
            var at = random.Next(expected.Length);
            Assert.Equal(expected[at], text[at]);
            var count = random.Next(expected.Length - at + 1);
            var copied = new char[count + 3];
            text.CopyTo(at, copied, 3, count);
            Assert.Equal(expected.ToString(at, count), new string(copied, 3, count));
        }
    }

    [Fact]
    public void The_compiler_reads_it_as_the_same_text_as_a_string()
    {
        var text = new ChunkedText();
        var lines = Enumerable.Range(0, 4000).Select(i => $"    var h{i} = Tanh(h{i - 1}) * W; // ∂L/∂h{i}").ToList();
        foreach (var line in lines) text.Append(line).Append('\n');
        var expected = SourceText.From(string.Concat(lines.Select(l => l + "\n")), Encoding.UTF8);
        var chunked = new ChunkedSourceText(text);

        Assert.Equal(expected.Length, chunked.Length);
        Assert.True(chunked.ContentEquals(expected));
        Assert.Equal(Convert.ToHexString(expected.GetChecksum().ToArray()), Convert.ToHexString(chunked.GetChecksum().ToArray()));
        Assert.Equal(expected.Lines.Count, chunked.Lines.Count);
        Assert.Equal(expected.Lines[2500].ToString(), chunked.Lines[2500].ToString());
        var span = new TextSpan(ChunkedText.ChunkSize - 10, 3 * ChunkedText.ChunkSize);
        Assert.Equal(expected.ToString(span), chunked.ToString(span));
        Assert.Equal(Encoding.UTF8, chunked.Encoding);
        Assert.Throws<ArgumentOutOfRangeException>(() => chunked[chunked.Length]);
        // What the compiler reads never changes under it.
        Assert.Throws<InvalidOperationException>(() => text.Append('x'));
        Assert.Throws<InvalidOperationException>(() => text.Truncate(0));
    }
}
