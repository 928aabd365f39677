using System.Collections;

namespace Differentiable.Data;

/// <summary>
/// Mini-batches over a <see cref="TensorDataset"/>, as PyTorch's <c>DataLoader</c>: <see cref="BatchSize"/> samples
/// per batch, in the data set's order or, with a <see cref="Rng"/>, in a new seeded order each time it is enumerated
/// (each epoch); the last, smaller batch is kept unless <c>dropLast</c>. Each batch is a fresh copy, valid for as long
/// as the caller keeps it.
/// </summary>
public sealed class DataLoader : IEnumerable<Batch>
{
    private readonly Rng? _shuffle;

    /// <param name="dataset">The samples.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="shuffle">Draws each epoch's order (the same seed gives the same epochs); null keeps the data set's order.</param>
    /// <param name="dropLast">Leave out the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    public DataLoader(TensorDataset dataset, int batchSize, Rng? shuffle = null, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        (Dataset, BatchSize, _shuffle, DropLast) = (dataset, batchSize, shuffle, dropLast);
    }

    public TensorDataset Dataset { get; }
    public int BatchSize { get; }
    public bool DropLast { get; }

    /// <summary>Batches per epoch.</summary>
    public int Count => DropLast ? Dataset.Count / BatchSize : (Dataset.Count + BatchSize - 1) / BatchSize;

    public IEnumerator<Batch> GetEnumerator()
    {
        var order = Batching.EpochOrder(Dataset.Count, _shuffle);
        for (var start = 0; start < order.Length; start += BatchSize)
        {
            var size = Math.Min(BatchSize, order.Length - start);
            if (size < BatchSize && DropLast) yield break;
            yield return Dataset.Take(order.AsSpan(start, size));
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
