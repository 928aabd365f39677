using Differentiable.Data;

namespace Differentiable.Tests.Data;

/// <summary>Tiny synthetic IDX data: image i has every pixel equal to (i·7 + p) mod 256, label i mod 10.</summary>
internal static class SmallData
{
    public static IdxImages Images(int count, int rows = 28, int columns = 28)
    {
        var pixels = new byte[count * rows * columns];
        for (var i = 0; i < count; i++)
            for (var p = 0; p < rows * columns; p++)
                pixels[i * rows * columns + p] = (byte)((i * 7 + p) % 256);
        return new IdxImages(count, rows, columns, pixels);
    }

    public static int[] Labels(int count) => Enumerable.Range(0, count).Select(i => i % 10).ToArray();

    /// <summary>A data set whose first pixel of sample i is i / 255 (so rows can be identified) and label i mod 10.</summary>
    public static MnistDataset Dataset(int count, int pixels = 4)
    {
        var values = new float[count * pixels];
        for (var i = 0; i < count; i++)
        {
            values[i * pixels] = i / 255f;
            for (var p = 1; p < pixels; p++) values[i * pixels + p] = p / 255f;
        }
        return new MnistDataset(Tensor.FromArray(values, count, pixels), Labels(count));
    }

    /// <summary>The sample index encoded in the first pixel of each row.</summary>
    public static int[] Ids(Tensor x)
    {
        var width = x.Shape[1];
        var values = x.ToFloatArray();
        return Enumerable.Range(0, x.Shape[0]).Select(r => (int)MathF.Round(values[r * width] * 255f)).ToArray();
    }
}
