using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Differentiable.Checkpoints;

/// <summary>
/// Writes the safetensors layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON padded with spaces
/// to a multiple of 8 (so the data section starts 8-byte aligned, as the reference implementation does), then every
/// tensor's little-endian bytes back to back, in the order given. Offsets count from the start of the data section.
/// </summary>
internal sealed class SafetensorsWriter
{
    private readonly string _path;
    private readonly IReadOnlyList<(string Name, Tensor Tensor)> _tensors;
    private readonly Entry[] _entries;
    private readonly byte[] _header;

    private readonly record struct Entry(string Name, DType DType, int[] Shape);

    /// <summary>
    /// Validates the tensors and builds the header before any file is touched, so that bad input (a duplicate name,
    /// a null tensor) fails without creating even a temporary file.
    /// </summary>
    public SafetensorsWriter(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        _path = path;
        _tensors = tensors;
        _entries = new Entry[tensors.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tensors.Count; i++)
        {
            var (name, tensor) = tensors[i];
            if (string.IsNullOrEmpty(name)) throw new ArgumentException($"Tensor #{i} has no name.", nameof(tensors));
            // The format reserves this key for the metadata map; a tensor of that name could not be read back.
            if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved by the safetensors format and cannot name a tensor.", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"Two tensors are named '{name}'; safetensors names must be unique.", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"The tensor '{name}' is null.", nameof(tensors));
            _entries[i] = new Entry(name, tensor.DType, tensor.Shape.ToArray());
        }
        if (metadata is not null)
            foreach (var (key, value) in metadata)
                if (key is null || value is null) throw new ArgumentException("Metadata keys and values must not be null.", nameof(metadata));
        _header = BuildHeader(metadata);
    }

    private byte[] BuildHeader(IReadOnlyDictionary<string, string>? metadata)
    {
        using var json = new MemoryStream();
        // Compact, like the reference writer. The relaxed encoder keeps non-ASCII names readable as UTF-8 instead of
        // \uXXXX escapes; it still escapes quotes, backslashes and control characters, so the JSON stays valid.
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            // Metadata first, as the reference implementation writes it; omitted when there is none (also as it does).
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var entry in _entries)
            {
                var bytes = checked(Tensor.ElementCount(entry.Shape) * (long)(entry.DType == DType.Float32 ? 4 : 8));
                writer.WriteStartObject(entry.Name);
                writer.WriteString("dtype", SafetensorsDTypes.Code(entry.DType));
                writer.WriteStartArray("shape");
                foreach (var d in entry.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + bytes);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += bytes;
            }
            writer.WriteEndObject();
        }

        var padded = (int)((json.Length + 7) / 8 * 8);
        var header = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)padded);
        json.GetBuffer().AsSpan(0, (int)json.Length).CopyTo(header.AsSpan(8));
        header.AsSpan(8 + (int)json.Length).Fill((byte)' ');
        return header;
    }

    public void WriteTo(Stream stream)
    {
        stream.Write(_header);
        for (var i = 0; i < _entries.Length; i++)
        {
            // The tensors are read again here rather than copied up front (a copy would double the memory of a large
            // model). A source that now yields something else — a module whose parameter was swapped by another
            // thread — would make the data disagree with the header already written, so that is an error, and the
            // atomic write then discards the half-written file.
            var (name, tensor) = _tensors[i];
            var entry = _entries[i];
            if (name != entry.Name || tensor is null || tensor.DType != entry.DType || !tensor.Shape.SequenceEqual(entry.Shape))
                throw new CheckpointException(_path,
                    $"{entry.Name}: the tensor changed while it was being saved (it was {SafetensorsDTypes.Code(entry.DType)} {Tensor.Format(entry.Shape)} "
                    + $"when the header was written, now {(name != entry.Name ? $"'{name}' " : "")}{(tensor is null ? "null" : $"{SafetensorsDTypes.Code(tensor.DType)} {tensor.ShapeString()}")}); nothing was written.",
                    entry.Name);
            TensorBytes.Write(stream, tensor);
        }
    }
}
