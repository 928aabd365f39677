using Differentiable.Data;

namespace Differentiable.Tests.Data;

public class DataLoaderTests
{
    private static TensorDataset Numbered(int count) =>
        new(Tensor.FromArray(Enumerable.Range(0, count * 2).Select(v => (float)v).ToArray(), count, 2), new Labels(Enumerable.Range(0, count).ToArray()));

    [Fact]
    public void Batches_follow_the_data_set_order_and_keep_the_remainder()
    {
        var batches = new DataLoader(Numbered(5), batchSize: 2).ToList();
        Assert.Equal(new[] { 2, 2, 1 }, batches.Select(b => b.X.Shape[0]));
        var (x, y) = batches[2];
        Assert.Equal(new[] { 8f, 9f }, x.ReadOnlySpan<float>().ToArray());
        Assert.Equal(new[] { 4 }, y.Values.ToArray());
    }

    [Fact]
    public void DropLast_leaves_out_the_smaller_batch()
    {
        var loader = new DataLoader(Numbered(5), batchSize: 2, dropLast: true);
        Assert.Equal(2, loader.Count);
        Assert.Equal(2, loader.Count());
    }

    [Fact]
    public void Shuffled_epochs_differ_cover_every_sample_once_and_repeat_with_the_seed()
    {
        List<int[]> Epochs(ulong seed)
        {
            var loader = new DataLoader(Numbered(10), batchSize: 3, shuffle: new Rng(seed));
            return Enumerable.Range(0, 2).Select(_ => loader.SelectMany(b => b.Labels!.Values.ToArray()).ToArray()).ToList();
        }
        var epochs = Epochs(7);
        Assert.All(epochs, e => Assert.Equal(Enumerable.Range(0, 10), e.Order()));
        Assert.NotEqual(epochs[0], epochs[1]);
        Assert.Equal(epochs, Epochs(7));
        // Rows travel with their labels.
        foreach (var batch in new DataLoader(Numbered(10), batchSize: 4, shuffle: new Rng(3)))
            for (var r = 0; r < batch.X.Shape[0]; r++)
                Assert.Equal(batch.Labels![r] * 2, batch.X.ReadOnlySpan<float>()[r * 2]);
    }

    [Fact]
    public void Two_tensors_batch_as_inputs_and_targets()
    {
        var set = new TensorDataset(Tensor.FromArray(new[] { 1.0, 2.0, 3.0 }, 3, 1), Tensor.FromArray(new[] { 10.0, 20.0, 30.0 }, 3));
        var batch = new DataLoader(set, batchSize: 3).Single();
        var (x, y) = (batch.X, batch.Tensors[1]);
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, x.ReadOnlySpan<double>().ToArray());
        Assert.Equal(new[] { 10.0, 20.0, 30.0 }, y.ReadOnlySpan<double>().ToArray());
    }

    [Fact]
    public void Mismatched_rows_are_refused_with_both_shapes()
    {
        var error = Assert.Throws<ShapeMismatchException>(() => new TensorDataset(Tensor.Zeros(3, 2), Tensor.Zeros(4)));
        Assert.Contains("(3, 2)", error.Message);
        Assert.Contains("(4)", error.Message);
    }
}
