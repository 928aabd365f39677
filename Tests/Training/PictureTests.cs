using Differentiable.Samples.Plots;
using Differentiable.Samples.Training;

namespace Differentiable.Tests.Training;

/// <summary>The training pictures are real PNG files of the expected size.</summary>
public class PictureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("differentiable-pictures").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static void AssertPng(string path, int width, int height)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        // The IHDR chunk holds the size, big-endian, at bytes 16..23.
        Assert.Equal(width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    [Fact]
    public void LossAndAccuracyCurves()
    {
        var epochs = Enumerable.Range(1, 4).Select(e => new EpochResult(e, 2.0 / e, 2.1 / e, 0.5 + e * 0.1, TimeSpan.FromSeconds(1))).ToList();
        AssertPng(CurvePlot.SaveLoss(epochs, "test", Path.Combine(_folder, "loss.png")), 800, 500);
        AssertPng(CurvePlot.SaveAccuracy(epochs, "test", Path.Combine(_folder, "accuracy.png")), 800, 500);
    }

    [Fact]
    public void DigitGridHasOneCellPerDigit()
    {
        var images = Tensor.Uniform(new[] { 10, 784 }, 0, 1, new Rng(1));
        var truth = Enumerable.Range(0, 10).ToArray();
        var path = DigitGrid.Save(images, truth, truth.Reverse().ToArray(), columns: 5, "a title", Path.Combine(_folder, "digits.png"));
        // 5 columns of 112 px cells with 8 px gutters; a 30 px title, then 2 rows of 112 + 18 px caption.
        AssertPng(path, 5 * 120 + 8, 30 + 2 * 138 + 8);
    }

    [Fact]
    public void Captions_use_class_names_when_given()
    {
        var names = Differentiable.Samples.Training.ClassNames.Fashion;
        Assert.Equal(new[] { "Ankle boot → Sneaker", "T-shirt/top → T-shirt/top" }, DigitGrid.Captions(new[] { 9, 0 }, new[] { 7, 0 }, names));
        Assert.Equal(new[] { "true 9 → 7" }, DigitGrid.Captions(new[] { 9 }, new[] { 7 }, null));
    }
}
