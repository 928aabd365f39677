using System.Buffers.Binary;
using System.IO.Compression;

namespace Differentiable.Data;

/// <summary>
/// Writes IDX images and labels files in the same layout <see cref="IdxReader"/> reads, gzip-compressed when the
/// path ends in ".gz". Used to cache converted data sets and by tests to build small (and deliberately corrupt) files.
/// </summary>
public static class IdxWriter
{
    public static void WriteImages(string path, IdxImages images)
    {
        ArgumentNullException.ThrowIfNull(images);
        WriteImages(path, images.Pixels, images.Count, images.Rows, images.Columns);
    }

    /// <summary>Writes <paramref name="count"/> images of <paramref name="rows"/> × <paramref name="columns"/> bytes.</summary>
    public static void WriteImages(string path, ReadOnlySpan<byte> pixels, int count, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if ((long)count * rows * columns != pixels.Length)
            throw new ArgumentException($"{count} images of {rows}×{columns} need {(long)count * rows * columns} pixel bytes, got {pixels.Length}.", nameof(pixels));

        Span<byte> header = stackalloc byte[IdxFormat.ImagesHeaderBytes];
        BinaryPrimitives.WriteInt32BigEndian(header, IdxFormat.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], count);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], rows);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], columns);
        Write(path, header, pixels);
    }

    /// <summary>Writes labels as one byte each; every label must be 0..255.</summary>
    public static void WriteLabels(string path, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = new byte[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] > byte.MaxValue)
                throw new ArgumentException($"Label {labels[i]} at index {i} does not fit in an IDX unsigned byte (0..255).", nameof(labels));
            bytes[i] = (byte)labels[i];
        }

        Span<byte> header = stackalloc byte[IdxFormat.LabelsHeaderBytes];
        BinaryPrimitives.WriteInt32BigEndian(header, IdxFormat.LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], labels.Length);
        Write(path, header, bytes);
    }

    /// <summary>
    /// Writes a data set's images (scaled back to bytes as round(v·255), clamped to 0..255) and labels.
    /// Images are stored as <paramref name="rows"/> × <paramref name="columns"/> (28 × 28 for MNIST).
    /// </summary>
    public static void Write(MnistDataset data, string imagesPath, string labelsPath, int rows = 28, int columns = 28)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (rows * columns != data.PixelsPerImage)
            throw new ArgumentException($"Images of {data.PixelsPerImage} pixels cannot be stored as {rows}×{columns}.", nameof(rows));
        WriteImages(imagesPath, ToBytes(data.Images.ReadOnlySpan<float>()), data.Count, rows, columns);
        WriteLabels(labelsPath, data.LabelSpan);
    }

    /// <summary>Pixel values in [0, 1] to bytes, round(v·255) with values outside [0, 1] clamped.</summary>
    public static byte[] ToBytes(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
            bytes[i] = (byte)Math.Clamp(MathF.Round(values[i] * 255f, MidpointRounding.AwayFromZero), 0f, 255f);
        return bytes;
    }

    private static void Write(string path, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        using var file = File.Create(path);
        if (IdxFormat.WantsGzip(path))
        {
            using var gzip = new GZipStream(file, CompressionLevel.Optimal);
            gzip.Write(header);
            gzip.Write(payload);
        }
        else
        {
            file.Write(header);
            file.Write(payload);
        }
    }
}
