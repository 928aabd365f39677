using Differentiable.Data;

namespace Differentiable.Tests.Data;

public class BatchingTests
{
    [Fact]
    public void ShuffledBatchesCoverEverySampleOnceWithPartialLastBatch()
    {
        var data = SmallData.Dataset(103);
        var batches = data.Batches(10, new Rng(1)).ToList();

        Assert.Equal(11, batches.Count);
        Assert.All(batches.SkipLast(1), b => Assert.Equal(new[] { 10, 4 }, b.X.Shape));
        Assert.Equal(new[] { 3, 4 }, batches[^1].X.Shape);
        Assert.Equal(3, batches[^1].Y.Count);

        // Batches kept by the caller stay valid: ids decoded after enumeration finished.
        var ids = batches.SelectMany(b => SmallData.Ids(b.X)).ToArray();
        Assert.Equal(Enumerable.Range(0, 103), ids.Order());
        Assert.NotEqual(Enumerable.Range(0, 103), ids);
        Assert.Equal(ids.Select(i => i % 10), batches.SelectMany(b => b.Y.Values.ToArray()));
    }

    [Fact]
    public void SameSeedSameOrderAndEpochsDiffer()
    {
        var data = SmallData.Dataset(50);
        int[] Order(IEnumerable<(Tensor X, Labels Y)> batches) => batches.SelectMany(b => SmallData.Ids(b.X)).ToArray();

        var rng = new Rng(5);
        var epoch1 = Order(data.Batches(8, rng));
        var epoch2 = Order(data.Batches(8, rng));
        var again = new Rng(5);
        Assert.Equal(epoch1, Order(data.Batches(8, again)));
        Assert.Equal(epoch2, Order(data.Batches(8, again)));
        Assert.NotEqual(epoch1, epoch2);
    }

    [Fact]
    public void BatchesVisitTheEpochOrderDrawnFromTheSameGenerator()
    {
        var data = SmallData.Dataset(50);
        int[] Order(IEnumerable<(Tensor X, Labels Y)> batches) => batches.SelectMany(b => SmallData.Ids(b.X)).ToArray();

        var rng = new Rng(5);
        var again = new Rng(5);
        for (var epoch = 0; epoch < 2; epoch++)
            Assert.Equal(Batching.EpochOrder(50, again), Order(data.Batches(8, rng)));
    }

    [Fact]
    public void WithoutShuffleTheOrderIsTheDatasetOrder()
    {
        var data = SmallData.Dataset(20);
        var batches = Batching.Batches(data, 7, shuffle: null).ToList();
        Assert.Equal(new[] { 7, 7, 6 }, batches.Select(b => b.Y.Count));
        Assert.Equal(Enumerable.Range(0, 20), batches.SelectMany(b => SmallData.Ids(b.X)));
    }

    [Fact]
    public void ExactMultipleHasNoEmptyBatchAndBadSizeThrowsAtCall()
    {
        var data = SmallData.Dataset(20);
        Assert.Equal(new[] { 10, 10 }, data.Batches(10).Select(b => b.Y.Count));
        Assert.Equal(new[] { 20 }, data.Batches(64).Select(b => b.Y.Count));
        Assert.Empty(SmallData.Dataset(0).Batches(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Batches(0));
    }
}
