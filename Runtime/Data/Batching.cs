namespace Differentiable.Data;

/// <summary>Mini-batches over a <see cref="MnistDataset"/>, optionally in a seeded shuffled order.</summary>
public static class Batching
{
    /// <summary>
    /// Yields the samples in batches of <paramref name="batchSize"/>; the last batch holds the remainder (smaller, never
    /// empty). With <paramref name="shuffle"/> null the order is the data set's; otherwise the order is a permutation drawn
    /// from <paramref name="shuffle"/> when enumeration starts, so enumerating again (the next epoch) draws a new order,
    /// and the same seed gives the same sequence of epochs.
    /// <para>
    /// Buffers: every batch gets its own freshly allocated tensor and labels, so a batch stays valid however long the
    /// caller keeps it (e.g. collected with ToList, or held by an autograd tape). The copy of each row is needed anyway to
    /// make the batch contiguous, so the extra cost is only the allocation; the index permutation is the one reused buffer.
    /// </para>
    /// </summary>
    public static IEnumerable<(Tensor X, Labels Y)> Batches(this MnistDataset data, int batchSize, Rng? shuffle = null)
    {
        // Validate here, not inside the iterator, so that mistakes fail at the call rather than at the first MoveNext.
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return Iterate(data, batchSize, shuffle);
    }

    /// <summary>
    /// The order in which an epoch visits <paramref name="count"/> samples: 0, 1, ... shuffled by
    /// <paramref name="shuffle"/> (unshuffled when null). <see cref="Batches"/> draws its order here, and so does the
    /// device training loop, which uploads it: both see the same batches for the same seed.
    /// </summary>
    public static int[] EpochOrder(int count, Rng? shuffle)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = new int[count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        shuffle?.Shuffle(order);
        return order;
    }

    private static IEnumerable<(Tensor X, Labels Y)> Iterate(MnistDataset data, int batchSize, Rng? shuffle)
    {
        var order = EpochOrder(data.Count, shuffle);

        var labels = new int[Math.Min(batchSize, data.Count)];
        for (var start = 0; start < order.Length; start += batchSize)
        {
            var size = Math.Min(batchSize, order.Length - start);
            var x = Tensor.Zeros(new[] { size, data.PixelsPerImage }, DType.Float32);
            data.CopyRows(order.AsSpan(start, size), x.Span<float>(), labels);
            // Labels copies its input, so the scratch label array can be reused for the next batch.
            yield return (x, new Labels(size == labels.Length ? labels : labels[..size]));
        }
    }
}
