using System.Buffers.Binary;

namespace Differentiable.Data;

/// <summary>
/// Reads MNIST's IDX files (http://yann.lecun.com/exdb/mnist/), raw or gzip-compressed (detected by content).
/// Headers are big-endian 32-bit integers. Every problem is a <see cref="DataFormatException"/> naming the file and
/// what is wrong, because the usual failures (a half-finished download, the labels file passed as images, an HTML
/// error page saved under the data file's name) are otherwise very confusing further down a training run.
/// </summary>
public static class IdxReader
{
    /// <summary>Reads an images file (magic 0x00000803): count, rows, columns, then count·rows·columns bytes.</summary>
    public static IdxImages ReadImages(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = IdxFormat.ReadAllDecompressed(path, IdxFormat.ImagesMagic, IdxFormat.ImagesHeaderBytes,
            header => Product(BigEndian(header, 4), BigEndian(header, 8), BigEndian(header, 12)));
        CheckHeader(path, bytes, IdxFormat.ImagesMagic, IdxFormat.ImagesHeaderBytes, "images");

        var count = ReadDimension(path, bytes, 4, "image count");
        var rows = ReadDimension(path, bytes, 8, "row count");
        var columns = ReadDimension(path, bytes, 12, "column count");
        if (rows == 0 || columns == 0)
            throw new DataFormatException(path, $"images of {rows}×{columns} pixels have no pixels; rows and columns must be positive.");

        var expected = (long)count * rows * columns;
        if (expected > Array.MaxLength)
            throw new DataFormatException(path, $"the header announces {count} images of {rows}×{columns} pixels ({expected} bytes), more than one array can hold.");
        CheckPayloadLength(path, bytes.Length - IdxFormat.ImagesHeaderBytes, expected, $"bytes of pixels ({count} images of {rows}×{columns})");

        var pixels = bytes.AsSpan(IdxFormat.ImagesHeaderBytes, (int)expected).ToArray();
        return new IdxImages(count, rows, columns, pixels);
    }

    /// <summary>
    /// Reads a labels file (magic 0x00000801): count, then count bytes. Every label must be below
    /// <paramref name="classCount"/> (10 for MNIST digits), so a corrupt file fails here rather than as an
    /// index error inside a loss function.
    /// </summary>
    public static int[] ReadLabels(string path, int classCount = 10)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        var bytes = IdxFormat.ReadAllDecompressed(path, IdxFormat.LabelsMagic, IdxFormat.LabelsHeaderBytes, header => BigEndian(header, 4));
        CheckHeader(path, bytes, IdxFormat.LabelsMagic, IdxFormat.LabelsHeaderBytes, "labels");

        var count = ReadDimension(path, bytes, 4, "label count");
        CheckPayloadLength(path, bytes.Length - IdxFormat.LabelsHeaderBytes, count, "bytes of labels");

        var labels = new int[count];
        var badCount = 0;
        var firstBad = -1;
        for (var i = 0; i < count; i++)
        {
            labels[i] = bytes[IdxFormat.LabelsHeaderBytes + i];
            if (labels[i] >= classCount && badCount++ == 0) firstBad = i;
        }
        if (badCount > 0)
            throw new DataFormatException(path,
                $"bad label: label {labels[firstBad]} at index {firstBad} is out of range; labels must be 0..{classCount - 1} " +
                $"({badCount} of {count} labels are out of range).");
        return labels;
    }

    private static void CheckHeader(string path, byte[] bytes, int expectedMagic, int headerBytes, string kind)
    {
        if (bytes.Length == 0)
            throw new DataFormatException(path, $"the file is empty (0 bytes); expected an IDX {kind} file with magic number {IdxFormat.Describe(expectedMagic)}.");
        if (bytes.Length < 4)
            throw new DataFormatException(path, $"truncated: the file has only {bytes.Length} bytes, too few for an IDX magic number.");

        var magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
        {
            var hint = magic switch
            {
                IdxFormat.ImagesMagic or IdxFormat.LabelsMagic => " Were the images and labels files swapped?",
                _ when bytes[0] == (byte)'<' => " The file looks like text or HTML, perhaps an error page saved instead of the data.",
                _ => "",
            };
            throw new DataFormatException(path, $"wrong magic number: expected {IdxFormat.Describe(expectedMagic)}, found {IdxFormat.Describe(magic)}.{hint}");
        }
        if (bytes.Length < headerBytes)
            throw new DataFormatException(path, $"truncated header: an IDX {kind} file needs a {headerBytes}-byte header, found {bytes.Length} bytes.");
    }

    private static int ReadDimension(string path, byte[] bytes, int offset, string what)
    {
        // Dimensions are unsigned in the format; anything ≥ 2³¹ cannot be a real MNIST file, so report it.
        var value = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset));
        if (value > int.MaxValue)
            throw new DataFormatException(path, $"the header's {what} {value} is implausibly large; the file is corrupt.");
        return (int)value;
    }

    private static void CheckPayloadLength(string path, long found, long expected, string what)
    {
        if (found < expected)
            throw new DataFormatException(path, $"truncated: expected {expected} {what}, found {found}.");
        // Extra bytes would mean the header and the data disagree, i.e. the file is not what it claims to be.
        if (found > expected)
            throw new DataFormatException(path, $"expected {expected} {what} after the header, found {found} ({found - expected} unexpected trailing bytes).");
    }

    /// <summary>A header field as the unsigned size it announces (negative values read as huge, and are refused by size).</summary>
    /// <summary>count·rows·columns, or long.MaxValue when that would overflow (the caller then refuses the header).</summary>
    private static long Product(long count, long rows, long columns) =>
        (decimal)count * rows * columns > long.MaxValue ? long.MaxValue : count * rows * columns;

    private static long BigEndian(byte[] header, int offset) => BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(offset, 4));
}
