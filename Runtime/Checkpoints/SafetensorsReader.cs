using System.Buffers.Binary;
using System.Text.Json;

namespace Differentiable.Checkpoints;

/// <summary>
/// Parses and validates a safetensors file. The whole header is checked (lengths, JSON, dtypes, offsets in range,
/// sizes matching shapes, no overlap, no gap, data section fully covered) before any tensor data is read, because a
/// file from elsewhere is untrusted input: a bad offset must become an error naming the file, not a wild read.
/// </summary>
internal sealed class SafetensorsReader : IDisposable
{
    // The reference implementation's limit; it also stops a corrupt length from making us allocate gigabytes.
    private const long MaxHeaderLength = 100_000_000;

    public sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End);

    private readonly FileStream _stream;
    private readonly long _dataStart;

    public string Path { get; }

    /// <summary>The tensors in header order.</summary>
    public IReadOnlyList<Entry> Entries { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public SafetensorsReader(string path)
    {
        Path = path;
        if (Directory.Exists(path)) throw new CheckpointException(path, "is a directory, not a checkpoint file");
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            var fileLength = _stream.Length;
            if (fileLength < 8)
                throw Corrupt($"the file is {fileLength} bytes, too short to be a safetensors file (it needs at least an 8-byte header length)");
            Span<byte> lengthBytes = stackalloc byte[8];
            _stream.ReadExactly(lengthBytes);
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            if (headerLength < 2)
                throw Corrupt($"the header length is {headerLength} bytes, too small for a JSON object");
            if (headerLength > MaxHeaderLength)
                throw Corrupt($"the header length is {headerLength} bytes, more than the format's limit of {MaxHeaderLength} (not a safetensors file, or a corrupt one)");
            if ((long)headerLength > fileLength - 8)
                throw Corrupt($"the header length is {headerLength} bytes but only {fileLength - 8} bytes follow it (truncated file?)");

            var header = new byte[headerLength];
            _stream.ReadExactly(header);
            _dataStart = 8 + (long)headerLength;
            (Entries, Metadata) = ParseHeader(header);
            ValidateLayout(fileLength - _dataStart);
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    private (List<Entry>, Dictionary<string, string>) ParseHeader(byte[] header)
    {
        // The format requires the header to open with '{'; checking it first gives a clearer message for files that
        // are not safetensors at all than whatever the JSON parser would say.
        if (header[0] != (byte)'{')
            throw Corrupt("the header does not start with '{' (not a safetensors file?)");

        JsonDocument document;
        try { document = JsonDocument.Parse(header); }
        catch (JsonException e) { throw Corrupt($"the header is not valid JSON: {e.Message}", inner: e); }
        catch (ArgumentException e) { throw Corrupt($"the header is not valid UTF-8 JSON: {e.Message}", inner: e); }

        using (document)
        {
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                // JsonDocument keeps duplicate keys; the format forbids them, and silently taking one would hide corruption.
                if (!seen.Add(property.Name))
                    throw Corrupt($"the header lists '{property.Name}' twice", property.Name);
                if (property.Name == "__metadata__") ParseMetadata(property.Value, metadata);
                else entries.Add(ParseEntry(property.Name, property.Value));
            }
            return (entries, metadata);
        }
    }

    private void ParseMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Corrupt($"__metadata__ must be an object of strings, found {value.ValueKind}");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Corrupt($"__metadata__ entry '{item.Name}' must be a string, found {item.Value.ValueKind}");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private Entry ParseEntry(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Corrupt($"{name}: the header entry must be an object, found {value.ValueKind}", name);

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw Corrupt($"{name}: the header entry has no \"dtype\" string", name);
        var dtype = dtypeElement.GetString()!;
        if (!SafetensorsDTypes.TryGetSize(dtype, out var elementSize))
            throw Corrupt($"{name}: unknown dtype \"{dtype}\"", name);

        var shape = ReadIntegers(name, value, "shape", expectedCount: null);
        var offsets = ReadIntegers(name, value, "data_offsets", expectedCount: 2);
        var (begin, end) = (offsets[0], offsets[1]);
        if (end < begin)
            throw Corrupt($"{name}: data_offsets [{begin}, {end}] end before they begin", name);

        long count = 1;
        try { foreach (var d in shape) count = checked(count * d); count = checked(count * elementSize); }
        catch (OverflowException) { throw Corrupt($"{name}: shape {FormatShape(shape)} is too large", name); }
        if (end - begin != count)
            throw Corrupt($"{name}: data_offsets [{begin}, {end}] cover {end - begin} bytes but dtype {dtype} with shape {FormatShape(shape)} needs {count}", name);

        return new Entry(name, dtype, shape, begin, end);
    }

    private long[] ReadIntegers(string name, JsonElement entry, string property, int? expectedCount)
    {
        if (!entry.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array)
            throw Corrupt($"{name}: the header entry has no \"{property}\" array", name);
        var values = new List<long>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var v) || v < 0)
                throw Corrupt($"{name}: \"{property}\" must hold non-negative integers, found {item.GetRawText()}", name);
            values.Add(v);
        }
        if (expectedCount is { } n && values.Count != n)
            throw Corrupt($"{name}: \"{property}\" must hold {n} integers, found {values.Count}", name);
        return values.ToArray();
    }

    /// <summary>
    /// The format requires the data section to be exactly the tensors' bytes: in range, no overlap, no hole, nothing
    /// after the last tensor. A holey or overlapping file is not something this writer produces, so it is corruption.
    /// </summary>
    private void ValidateLayout(long dataLength)
    {
        foreach (var e in Entries)
            if (e.End > dataLength)
                throw Corrupt($"{e.Name}: data_offsets [{e.Begin}, {e.End}] run past the data section, which is {dataLength} bytes (truncated file?)", e.Name);

        long expected = 0;
        Entry? previous = null;
        foreach (var e in Entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < expected)
                throw Corrupt($"{e.Name}: data_offsets [{e.Begin}, {e.End}] overlap those of {previous!.Name} [{previous.Begin}, {previous.End}]", e.Name);
            if (e.Begin > expected)
                throw Corrupt($"{e.Name}: data_offsets begin at {e.Begin} but the previous tensor ends at {expected}; the data section must have no gaps", e.Name);
            expected = e.End;
            previous = e;
        }
        if (expected != dataLength)
            throw Corrupt($"the data section is {dataLength} bytes but the header describes {expected} (the file has trailing bytes)");
    }

    /// <summary>Reads one tensor's data into a new tensor; the dtype must be one the runtime supports.</summary>
    public Tensor ReadTensor(Entry entry)
    {
        var dtype = SafetensorsDTypes.ToDType(entry.DType)
            ?? throw new CheckpointException(Path, $"{entry.Name}: dtype {entry.DType} is not supported; this runtime reads only F32 and F64 tensors", entry.Name);
        var shape = new int[entry.Shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            if (entry.Shape[i] > int.MaxValue)
                throw new CheckpointException(Path, $"{entry.Name}: shape {FormatShape(entry.Shape)} is too large for this runtime's tensors", entry.Name);
            shape[i] = (int)entry.Shape[i];
        }
        Tensor tensor;
        try { tensor = Tensor.ZerosPersistent(shape, dtype); } // parameters outlive any TensorScope
        catch (OverflowException) { throw new CheckpointException(Path, $"{entry.Name}: shape {FormatShape(entry.Shape)} has too many elements for this runtime's tensors", entry.Name); }

        _stream.Position = _dataStart + entry.Begin;
        try { TensorBytes.Read(_stream, tensor); }
        catch (EndOfStreamException e) { throw Corrupt($"{entry.Name}: the file ended while reading its data (was it truncated while being read?)", entry.Name, e); }
        return tensor;
    }

    public static string FormatShape(long[] shape) => "(" + string.Join(", ", shape) + ")";

    private CheckpointException Corrupt(string problem, string? tensorName = null, Exception? inner = null) =>
        new(Path, $"corrupt safetensors file: {problem}", tensorName, inner);

    public void Dispose() => _stream.Dispose();
}
