using Differentiable.Data;

namespace Differentiable.Tests.Data;

public class MnistDatasetTests
{
    [Fact]
    public void LoadDirectoryFindsGzipStandardNames()
    {
        using var dir = new TempDirectory();
        IdxWriter.WriteImages(dir.File("train-images-idx3-ubyte.gz"), SmallData.Images(12));
        IdxWriter.WriteLabels(dir.File("train-labels-idx1-ubyte.gz"), SmallData.Labels(12));
        IdxWriter.WriteImages(dir.File("t10k-images-idx3-ubyte.gz"), SmallData.Images(3));
        IdxWriter.WriteLabels(dir.File("t10k-labels-idx1-ubyte"), SmallData.Labels(3)); // raw and gzip may be mixed

        var (train, test) = MnistDataset.LoadDirectory(dir.Path);
        Assert.Equal(12, train.Count);
        Assert.Equal(3, test.Count);
        Assert.Equal(new[] { 12, 784 }, train.Images.Shape);
        Assert.Equal(SmallData.Labels(12), train.Labels);
        Assert.All(train.Images.ToFloatArray(), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void LoadDirectoryReportsMissingFile()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => MnistDataset.LoadDirectory(dir.Path));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
    }

    [Fact]
    public void SplitIsDeterministicPerSeedAndDisjoint()
    {
        var data = SmallData.Dataset(100);
        var (train1, test1) = data.Split(0.8, seed: 7);
        var (train2, test2) = data.Split(80, seed: 7);
        var (train3, _) = data.Split(80, seed: 8);

        Assert.Equal(80, train1.Count);
        Assert.Equal(20, test1.Count);
        Assert.Equal(SmallData.Ids(train1.Images), SmallData.Ids(train2.Images));
        Assert.Equal(SmallData.Ids(test1.Images), SmallData.Ids(test2.Images));
        Assert.NotEqual(SmallData.Ids(train1.Images), SmallData.Ids(train3.Images));

        var all = SmallData.Ids(train1.Images).Concat(SmallData.Ids(test1.Images)).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 100), all);
        // Labels travel with their images.
        Assert.Equal(SmallData.Ids(train1.Images).Select(i => i % 10), train1.Labels);
    }

    [Fact]
    public void SliceCopiesSelectedRowsInOrder()
    {
        var data = SmallData.Dataset(10);
        var slice = data.Slice(new[] { 9, 2, 2 });
        Assert.Equal(new[] { 9, 2, 2 }, SmallData.Ids(slice.Images));
        Assert.Equal(new[] { 9, 2, 2 }, slice.Labels);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Slice(new[] { 10 }));
    }

    [Fact]
    public void WriteDatasetRoundTrips()
    {
        using var dir = new TempDirectory();
        var data = MnistDataset.FromIdx(SmallData.Images(4), SmallData.Labels(4));
        IdxWriter.Write(data, dir.File("i.gz"), dir.File("l.gz"));
        var back = MnistDataset.Load(dir.File("i.gz"), dir.File("l.gz"));
        Assert.Equal(data.Images.ToFloatArray(), back.Images.ToFloatArray());
        Assert.Equal(data.Labels, back.Labels);
    }
}
