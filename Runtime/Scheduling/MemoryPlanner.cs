namespace Differentiable.Scheduling;

/// <summary>
/// Places arena buffers in one allocation so that buffers alive at the same step never overlap: largest first,
/// each at the lowest aligned offset free of every placed buffer whose lifetime overlaps its own. Intermediate
/// results of a training step die early, so the arena is a fraction of their total.
/// </summary>
public static class MemoryPlanner
{
    public const int Alignment = 256;

    /// <summary>Assigns <see cref="LogicalBuffer.ArenaOffset"/> to each buffer; returns the arena's size in bytes.</summary>
    public static long Plan(IReadOnlyList<LogicalBuffer> buffers)
    {
        var placed = new List<LogicalBuffer>();
        long arena = 0;
        foreach (var buffer in buffers.Where(b => b.LastUse >= 0).OrderByDescending(b => b.Bytes).ThenBy(b => b.Id))
        {
            var conflicts = placed.Where(p => p.FirstUse <= buffer.LastUse && buffer.FirstUse <= p.LastUse).OrderBy(p => p.ArenaOffset).ToList();
            long offset = 0;
            foreach (var other in conflicts)
            {
                if (offset + buffer.Bytes <= other.ArenaOffset) break;
                offset = Math.Max(offset, Align(other.ArenaOffset + other.Bytes));
            }
            buffer.ArenaOffset = offset;
            placed.Add(buffer);
            arena = Math.Max(arena, offset + buffer.Bytes);
        }
        return Align(arena);
    }

    private static long Align(long bytes) => (bytes + Alignment - 1) / Alignment * Alignment;
}
