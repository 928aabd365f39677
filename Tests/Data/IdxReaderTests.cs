using System.Buffers.Binary;
using System.IO.Compression;
using Differentiable.Data;

namespace Differentiable.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData("images-idx3-ubyte", "labels-idx1-ubyte")]
    [InlineData("images-idx3-ubyte.gz", "labels-idx1-ubyte.gz")]
    public void WriteThenReadRoundTrips(string imagesName, string labelsName)
    {
        using var dir = new TempDirectory();
        var images = SmallData.Images(13, 5, 3);
        var labels = SmallData.Labels(13);
        IdxWriter.WriteImages(dir.File(imagesName), images);
        IdxWriter.WriteLabels(dir.File(labelsName), labels);

        var gzip = imagesName.EndsWith(".gz");
        var head = File.ReadAllBytes(dir.File(imagesName))[..2];
        Assert.Equal(gzip, head[0] == 0x1f && head[1] == 0x8b);

        var read = IdxReader.ReadImages(dir.File(imagesName));
        Assert.Equal((13, 5, 3), (read.Count, read.Rows, read.Columns));
        Assert.Equal(images.Pixels, read.Pixels);
        Assert.Equal(labels, IdxReader.ReadLabels(dir.File(labelsName)));
    }

    [Fact]
    public void GzipIsDetectedByContentNotName()
    {
        using var dir = new TempDirectory();
        IdxWriter.WriteImages(dir.File("images.gz"), SmallData.Images(2));
        File.Move(dir.File("images.gz"), dir.File("images-no-extension"));
        Assert.Equal(2, IdxReader.ReadImages(dir.File("images-no-extension")).Count);

        // And a raw file that happens to be named .gz is read raw.
        var raw = Header(0x803, 1, 2, 2).Concat(new byte[] { 1, 2, 3, 4 }).ToArray();
        File.WriteAllBytes(dir.File("raw.gz"), raw);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, IdxReader.ReadImages(dir.File("raw.gz")).Pixels);
    }

    [Fact]
    public void DatasetScalesPixelsToUnitInterval()
    {
        using var dir = new TempDirectory();
        var pixels = new byte[] { 0, 255, 51, 102 };
        IdxWriter.WriteImages(dir.File("i"), pixels, 1, 2, 2);
        IdxWriter.WriteLabels(dir.File("l"), new[] { 7 });
        var data = MnistDataset.Load(dir.File("i"), dir.File("l"));
        Assert.Equal(new[] { 1, 4 }, data.Images.Shape);
        Assert.Equal(DType.Float32, data.Images.DType);
        Assert.Equal(new[] { 0f, 1f, 0.2f, 0.4f }, data.Images.ToFloatArray());
        Assert.Equal(new[] { 7 }, data.Labels);
    }

    [Fact]
    public void Swapped_gzipped_files_are_named_as_swapped_not_as_too_long()
    {
        using var dir = new TempDirectory();
        IdxWriter.WriteImages(dir.File("train-images-idx3-ubyte.gz"), SmallData.Images(50));
        IdxWriter.WriteLabels(dir.File("train-labels-idx1-ubyte.gz"), SmallData.Labels(50));
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(dir.File("train-images-idx3-ubyte.gz")));
        Assert.Contains("Were the images and labels files swapped?", e.Message);
        e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(dir.File("train-labels-idx1-ubyte.gz")));
        Assert.Contains("Were the images and labels files swapped?", e.Message);
    }

    [Fact]
    public void WrongMagicNamesExpectedAndFound()
    {
        using var dir = new TempDirectory();
        IdxWriter.WriteLabels(dir.File("labels-idx1-ubyte"), new[] { 1, 2 });
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(dir.File("labels-idx1-ubyte")));
        Assert.Contains("labels-idx1-ubyte", e.Message);
        Assert.Contains("wrong magic number", e.Message);
        Assert.Contains("expected 0x00000803", e.Message);
        Assert.Contains("found 0x00000801", e.Message);

        File.WriteAllBytes(dir.File("page.html"), "<html>not found</html>"u8.ToArray());
        e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(dir.File("page.html")));
        Assert.Contains("page.html", e.Message);
        Assert.Contains("expected 0x00000801", e.Message);
        Assert.Contains("HTML", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedPixelsSayHowManyBytes(bool gzip)
    {
        using var dir = new TempDirectory();
        var bytes = Header(0x803, 3, 28, 28).Concat(new byte[2 * 784 + 100]).ToArray();
        var name = gzip ? "short-idx3-ubyte.gz" : "short-idx3-ubyte";
        File.WriteAllBytes(dir.File(name), gzip ? Gzip(bytes) : bytes);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(dir.File(name)));
        Assert.Contains(name, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains($"expected {3 * 784} bytes of pixels", e.Message);
        Assert.Contains($"found {2 * 784 + 100}", e.Message);
    }

    [Fact]
    public void A_gzip_bomb_is_read_only_as_far_as_its_header_announces()
    {
        using var dir = new TempDirectory();
        // 2 images of 2×2 pixels announced, then 256 MB of zeros: about a quarter of a megabyte compressed.
        var path = dir.File("bomb-idx3-ubyte.gz");
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
        {
            gzip.Write(Header(0x803, 2, 2, 2));
            var zeros = new byte[1 << 20];
            for (var k = 0; k < 256; k++) gzip.Write(zeros);
        }
        Assert.True(new FileInfo(path).Length < 2 << 20);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(path));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("bomb-idx3-ubyte.gz", e.Message);
        Assert.Contains("more than the 24 bytes its header announces", e.Message);
        Assert.True(allocated < 16 << 20, $"reading allocated {allocated:N0} bytes");
    }

    [Fact]
    public void TruncatedHeaderAndLabels()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("h"), Header(0x803, 3)); // 8 of 16 header bytes
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(dir.File("h")));
        Assert.Contains("truncated header", e.Message);

        File.WriteAllBytes(dir.File("l"), Header(0x801, 5).Concat(new byte[] { 1, 2 }).ToArray());
        e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(dir.File("l")));
        Assert.Contains("truncated: expected 5 bytes of labels, found 2", e.Message);
    }

    [Fact]
    public void TrailingBytesAreRejected()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("l"), Header(0x801, 2).Concat(new byte[] { 1, 2, 3 }).ToArray());
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(dir.File("l")));
        Assert.Contains("1 unexpected trailing bytes", e.Message);
    }

    [Fact]
    public void EmptyFile()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("empty-idx3-ubyte"), []);
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadImages(dir.File("empty-idx3-ubyte")));
        Assert.Contains("empty-idx3-ubyte", e.Message);
        Assert.Contains("empty", e.Message.Replace(dir.Path, ""));
    }

    [Fact]
    public void LabelAboveNineIsRejected()
    {
        using var dir = new TempDirectory();
        IdxWriter.WriteLabels(dir.File("bad-labels.gz"), new[] { 0, 9, 12, 3, 200 });
        var e = Assert.Throws<DataFormatException>(() => IdxReader.ReadLabels(dir.File("bad-labels.gz")));
        Assert.Contains("bad-labels.gz", e.Message);
        Assert.Contains("label 12 at index 2", e.Message);
        Assert.Contains("0..9", e.Message);
        Assert.Contains("2 of 5", e.Message);
    }

    [Fact]
    public void CountMismatchNamesBothFilesAndCounts()
    {
        using var dir = new TempDirectory();
        IdxWriter.WriteImages(dir.File("imgs-idx3-ubyte"), SmallData.Images(5));
        IdxWriter.WriteLabels(dir.File("lbls-idx1-ubyte"), SmallData.Labels(4));
        var e = Assert.Throws<DataFormatException>(() => MnistDataset.Load(dir.File("imgs-idx3-ubyte"), dir.File("lbls-idx1-ubyte")));
        Assert.Contains("count mismatch", e.Message);
        Assert.Contains("imgs-idx3-ubyte", e.Message);
        Assert.Contains("lbls-idx1-ubyte", e.Message);
        Assert.Contains("5 images", e.Message);
        Assert.Contains("4 labels", e.Message);
    }

    [Fact]
    public void CorruptGzipIsADataFormatError()
    {
        using var dir = new TempDirectory();
        var gz = Gzip(Header(0x801, 1).Concat(new byte[] { 3 }).ToArray());
        gz[10] ^= 0xFF; gz[11] ^= 0xFF; gz[12] ^= 0xFF;
        File.WriteAllBytes(dir.File("broken.gz"), gz);
        var e = Assert.ThrowsAny<IOException>(() => IdxReader.ReadLabels(dir.File("broken.gz")));
        Assert.IsType<DataFormatException>(e);
        Assert.Contains("broken.gz", e.Message);
    }

    internal static byte[] Header(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    internal static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }
}
