namespace Differentiable.Data;

/// <summary>
/// The raw contents of an IDX images file: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/>
/// unsigned bytes, row-major, one image after another. Kept as bytes (not floats) because that is 4× smaller and the
/// format's own representation; <see cref="MnistDataset"/> scales to [0, 1] when it builds its tensor.
/// </summary>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels)
{
    /// <summary>Pixels per image (784 for MNIST).</summary>
    public int PixelsPerImage => Rows * Columns;
}
