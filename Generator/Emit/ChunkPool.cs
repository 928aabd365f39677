namespace Differentiable.Generator.Emit;

/// <summary>
/// Full-size chunks of generated files that the compiler no longer reads, kept for the next run. A compiler server or
/// an IDE runs the generator again and again, and each run's files replace the last run's: without reuse, every run
/// allocated its megabytes of text afresh, the garbage collector copied them from generation to generation while the
/// run went on (the text is alive until the compiler drops it): on a 1,000-statement body, collections took up to a
/// third of a run, and the text was 40% of what they found alive. A file's chunks come back here once its text and the <see cref="ChunkedSourceText"/> over it are
/// collected (see <see cref="ChunkRecycler"/>), never while anything can read them; the pool keeps at most
/// <see cref="Capacity"/>.
/// </summary>
internal static class ChunkPool
{
    /// <summary>At most this many chunks are kept: 1,024 × 32 KB = 32 MB, what five runs of a 1,000-statement body write.</summary>
    public const int Capacity = 1024;

    private static readonly char[][] Free = new char[Capacity][];
    private static int _count;

    /// <summary>A chunk of <see cref="ChunkedText.ChunkSize"/> characters, reused when one is free. Its old contents remain: the text writes before it reads.</summary>
    public static char[] Rent()
    {
        lock (Free)
        {
            if (_count > 0)
            {
                var chunk = Free[--_count];
                Free[_count] = null!;
                return chunk;
            }
        }
        return new char[ChunkedText.ChunkSize];
    }

    /// <summary>Takes back the full-size chunks of a text nothing reads any more (called from a finalizer: never throws).</summary>
    public static void Return(char[][] chunks)
    {
        lock (Free)
            foreach (var chunk in chunks)
            {
                if (_count == Capacity) return;
                if (chunk.Length == ChunkedText.ChunkSize) Free[_count++] = chunk;
            }
    }

    /// <summary>How many chunks are free now (for tests).</summary>
    public static int FreeCount
    {
        get { lock (Free) return _count; }
    }
}

/// <summary>
/// Hands a generated file's chunks back to <see cref="ChunkPool"/> when the compiler has dropped the file: only the
/// file's <see cref="ChunkedText"/> refers to it, and only that text reads the chunks, so it is finalized only once
/// nothing can read them any more.
/// </summary>
internal sealed class ChunkRecycler
{
    private readonly char[][] _chunks;

    public ChunkRecycler(char[][] chunks) => _chunks = chunks;

    ~ChunkRecycler() => ChunkPool.Return(_chunks);
}
