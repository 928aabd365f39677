using Differentiable;

namespace Differentiable.Tests.Runtime;

public class RngTests
{
    [Fact]
    public void FirstOutputsArePinned()
    {
        // xoshiro256** seeded through SplitMix64 (reference values computed independently from the published algorithm).
        var rng = new Rng(42);
        Assert.Equal(1546998764402558742UL, rng.NextUInt64());
        Assert.Equal(6990951692964543102UL, rng.NextUInt64());
        Assert.Equal(12544586762248559009UL, rng.NextUInt64());

        rng = new Rng(42);
        Assert.Equal(0.08386297105988216, rng.NextDouble());
        Assert.Equal(0.3789802506626686, rng.NextDouble());
    }

    [Fact]
    public void SameSeedGivesTheSameStream()
    {
        var a = new Rng(123);
        var b = new Rng(123);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(a.NextDouble(), b.NextDouble());
            Assert.Equal(a.NextGaussian(), b.NextGaussian());
            Assert.Equal(a.NextInt(17), b.NextInt(17));
        }
        Assert.NotEqual(new Rng(1).NextDouble(), new Rng(2).NextDouble());
        Assert.Equal(Tensor.Randn(new[] { 5, 5 }, new Rng(9)).ToFloatArray(), Tensor.Randn(new[] { 5, 5 }, new Rng(9)).ToFloatArray());
    }

    [Fact]
    public void NextIntIsInRangeAndCoversIt()
    {
        var rng = new Rng(7);
        var counts = new int[6];
        for (var i = 0; i < 6000; i++) counts[rng.NextInt(6)]++;
        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
        Assert.Equal(0, rng.NextInt(1));
    }

    [Fact]
    public void ShuffleIsAReproduciblePermutation()
    {
        var a = Enumerable.Range(0, 50).ToArray();
        var b = Enumerable.Range(0, 50).ToArray();
        new Rng(3).Shuffle(a);
        new Rng(3).Shuffle(b);
        Assert.Equal(a, b);
        Assert.NotEqual(Enumerable.Range(0, 50), a);
        Assert.Equal(Enumerable.Range(0, 50), a.OrderBy(v => v));
    }

    [Fact]
    public void GaussianHasUnitMoments()
    {
        var rng = new Rng(11);
        var xs = Enumerable.Range(0, 50000).Select(_ => rng.NextGaussian()).ToArray();
        var mean = xs.Average();
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(xs.Select(x => (x - mean) * (x - mean)).Average(), 0.97, 1.03);
    }
}
