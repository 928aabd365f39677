using System.IO.Compression;

namespace Differentiable.Data;

/// <summary>Constants and stream helpers shared by <see cref="IdxReader"/> and <see cref="IdxWriter"/>.</summary>
internal static class IdxFormat
{
    // Magic = 0x00 0x00 <element type> <number of dimensions>; 0x08 is "unsigned byte".
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;
    public const int ImagesHeaderBytes = 16; // magic, count, rows, cols
    public const int LabelsHeaderBytes = 8;  // magic, count

    /// <summary>
    /// True when the bytes start with the gzip magic 1f 8b. Content, not the file name, decides, because downloaded
    /// MNIST files are often renamed, or decompressed by a browser while keeping their ".gz" name.
    /// </summary>
    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    /// <summary>Whether a path we write should be gzip-compressed: by name, the convention every MNIST mirror uses.</summary>
    public static bool WantsGzip(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The whole file, decompressed if it is gzip. A compressed file is decompressed only as far as its header says it
    /// reaches (<paramref name="headerBytes"/>, then <paramref name="payloadLength"/> of that header, plus one byte to
    /// notice a longer file), so a gzip bomb — megabytes that expand to gigabytes — costs no more memory than the
    /// data it announces. MNIST files are at most ~47 MB, so reading at once is simplest.
    /// </summary>
    public static byte[] ReadAllDecompressed(string path, int expectedMagic, int headerBytes, Func<byte[], long> payloadLength)
    {
        var bytes = File.ReadAllBytes(path);
        if (!IsGzip(bytes)) return bytes;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            var header = new byte[headerBytes];
            var read = gzip.ReadAtLeast(header, headerBytes, throwOnEndOfStream: false);
            // Sizes mean nothing in a file of another kind (the images passed as labels): let the caller's magic check speak.
            if (read < headerBytes || System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header) != expectedMagic) return header[..read];
            var payload = payloadLength(header);
            // A header announcing more than an array holds is refused by the caller, from the header alone.
            if (payload < 0 || headerBytes + payload >= Array.MaxLength) return header;
            using var output = new MemoryStream();
            output.Write(header);
            var limit = headerBytes + payload + 1;
            var buffer = new byte[1 << 16];
            while (output.Length < limit && gzip.Read(buffer, 0, (int)Math.Min(buffer.Length, limit - output.Length)) is var n && n > 0)
                output.Write(buffer, 0, n);
            if (output.Length == limit)
                throw new DataFormatException(path, $"decompresses to more than the {headerBytes + payload} bytes its header announces (reading stopped there): the header and the data disagree.");
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"starts with the gzip magic bytes 1f 8b but is not a valid gzip stream ({e.Message}); the download may be incomplete.", e);
        }
    }

    public static string Describe(int magic) => magic switch
    {
        ImagesMagic => "0x00000803 (an IDX images file)",
        LabelsMagic => "0x00000801 (an IDX labels file)",
        _ => $"0x{magic:X8}",
    };
}
