using System.Runtime.CompilerServices;
using Differentiable.Generator.Emit;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.Generator;

[CollectionDefinition(nameof(ChunkPoolCollection), DisableParallelization = true)]
public sealed class ChunkPoolCollection;

/// <summary>
/// The pool that reuses the chunks of generated files the compiler has dropped: a dropped file's chunks come back and
/// are handed out again, a file still held never sees its chunks reused, and files written into reused chunks are the
/// same text as files written into new ones. Alone in their collection: other tests' runs rent from the same pool.
/// </summary>
[Collection(nameof(ChunkPoolCollection))]
public class ChunkPoolTests
{
    [Fact]
    public void A_dropped_files_chunks_are_handed_out_again_and_a_held_files_text_never_changes()
    {
        // An empty pool first (other tests' dropped files may have filled it to its capacity).
        CollectAndFinalize();
        while (ChunkPool.FreeCount > 0) ChunkPool.Rent();
        var held = Written('h', 3);
        var expected = held.ToString();
        var dropped = WrittenAndDropped('d', 3);
        CollectAndFinalize();

        var free = new List<char[]>();
        while (ChunkPool.FreeCount > 0) free.Add(ChunkPool.Rent());
        foreach (var chunk in dropped) Assert.Contains(free, f => ReferenceEquals(f, chunk.Target));
        // Whatever is written into the reused chunks, the held file reads as it was written.
        foreach (var chunk in free) Array.Fill(chunk, 'x');
        Assert.Equal(expected, held.ToString());
        ChunkPool.Return(free.ToArray());
        GC.KeepAlive(held);
    }

    [Fact]
    public void A_part_appended_and_recycled_reads_the_same_and_gives_its_chunks_back()
    {
        CollectAndFinalize();   // no dropped file's chunks still on their way back to the pool
        var part = new ChunkedText(scratch: true);
        for (var i = 0; i < 3000; i++) part.Append($"line {i} ⊙ \"quoted\"\n");
        var expected = part.ToString();
        var chunks = part.Chunks.ToList();
        Assert.True(chunks.Count > 1);
        Assert.All(chunks, chunk => Assert.Equal(ChunkedText.ChunkSize, chunk.Length));   // a part is pooled from its first chunk
        var file = new ChunkedText().Append("before\n");
        file.AppendAndRecycle(part);
        Assert.Equal("before\n" + expected, file.ToString());
        Assert.Equal("", part.ToString());

        var free = new List<char[]>();
        while (ChunkPool.FreeCount > 0) free.Add(ChunkPool.Rent());
        Assert.All(chunks, chunk => Assert.Contains(free, f => ReferenceEquals(f, chunk)));
        ChunkPool.Return(free.ToArray());
        GC.KeepAlive(file);
    }

    [Fact]
    public void A_text_still_being_written_keeps_its_chunks()
    {
        var text = new ChunkedText().Append('w', 3 * ChunkedText.ChunkSize);
        var chunks = text.Chunks.ToArray();
        CollectAndFinalize();
        var free = new List<char[]>();
        while (ChunkPool.FreeCount > 0) free.Add(ChunkPool.Rent());
        Assert.DoesNotContain(free, f => chunks.Any(c => ReferenceEquals(c, f)));
        Assert.False(text.RecyclesChunks);   // only a frozen text (a file handed to the compiler) gives its chunks back
        ChunkPool.Return(free.ToArray());
        Assert.Equal(new string('w', 3 * ChunkedText.ChunkSize), text.ToString());
    }

    [Fact]
    public void Files_written_into_reused_chunks_are_the_files_written_into_new_ones()
    {
        var source = ("M.cs", """
            using Differentiable;
            using static Differentiable.Ops;
            public partial class M
            {
                [Parameter] public Tensor W = Tensor.Zeros(3, 3);
                [Differentiable]
                public Tensor Loss(Tensor x)
                {
                    var h = x;
                    for (var i = 0; i < 40; i++) h = Tanh(h.MatMul(W) + h * 0.5);
                    return Sum(h);
                }
            }
            """);
        var first = GeneratorHarness.Run(source).Sources;
        Assert.True(first.Values.Sum(s => s.Length) > 2 * ChunkedText.ChunkSize, "the files should span chunks");
        for (var run = 0; run < 3; run++)
        {
            CollectAndFinalize();
            Assert.Equal(first, GeneratorHarness.Run(source).Sources);
        }
    }

    private static Microsoft.CodeAnalysis.Text.SourceText Written(char c, int chunks) =>
        new SourceWriter().Line(new string(c, chunks * ChunkedText.ChunkSize)).ToSourceText();

    /// <summary>A file handed to the compiler and dropped; weak references to its full-size chunks.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference> WrittenAndDropped(char c, int chunks)
    {
        var text = new ChunkedText().Append(c, chunks * ChunkedText.ChunkSize);
        var full = text.Chunks.Where(k => k.Length == ChunkedText.ChunkSize).Select(k => new WeakReference(k, trackResurrection: true)).ToList();   // long: the chunks outlive the text through its finalizer
        Assert.Equal(chunks, full.Count);
        _ = new ChunkedSourceText(text);
        return full;
    }

    private static void CollectAndFinalize()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
