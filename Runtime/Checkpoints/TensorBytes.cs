using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Differentiable.Checkpoints;

/// <summary>Moves tensor elements to and from a stream as the little-endian bytes safetensors prescribes.</summary>
internal static class TensorBytes
{
    private const int ChunkElements = 8192;

    public static long ByteLength(Tensor tensor) => (long)tensor.Length * (tensor.DType == DType.Float32 ? 4 : 8);

    public static void Write(Stream stream, Tensor tensor)
    {
        if (BitConverter.IsLittleEndian)
        {
            // The in-memory layout already is the file layout: no per-element work, no copy.
            if (tensor.DType == DType.Float32) stream.Write(MemoryMarshal.AsBytes(tensor.ReadOnlySpan<float>()));
            else stream.Write(MemoryMarshal.AsBytes(tensor.ReadOnlySpan<double>()));
            return;
        }

        // Big-endian hosts: swap through a bounded buffer rather than a copy of the whole tensor.
        var buffer = new byte[ChunkElements * 8];
        if (tensor.DType == DType.Float32)
        {
            var data = tensor.ReadOnlySpan<float>();
            for (var start = 0; start < data.Length; start += ChunkElements)
            {
                var count = Math.Min(ChunkElements, data.Length - start);
                for (var i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4), data[start + i]);
                stream.Write(buffer, 0, count * 4);
            }
        }
        else
        {
            var data = tensor.ReadOnlySpan<double>();
            for (var start = 0; start < data.Length; start += ChunkElements)
            {
                var count = Math.Min(ChunkElements, data.Length - start);
                for (var i = 0; i < count; i++) BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(i * 8), data[start + i]);
                stream.Write(buffer, 0, count * 8);
            }
        }
    }

    /// <summary>Fills <paramref name="tensor"/> from the stream; throws <see cref="EndOfStreamException"/> if it ends early.</summary>
    public static void Read(Stream stream, Tensor tensor)
    {
        if (tensor.DType == DType.Float32)
        {
            var data = tensor.Span<float>();
            stream.ReadExactly(MemoryMarshal.AsBytes(data));
            if (!BitConverter.IsLittleEndian)
                for (var i = 0; i < data.Length; i++)
                    data[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(data[i])));
        }
        else
        {
            var data = tensor.Span<double>();
            stream.ReadExactly(MemoryMarshal.AsBytes(data));
            if (!BitConverter.IsLittleEndian)
                for (var i = 0; i < data.Length; i++)
                    data[i] = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReverseEndianness(BitConverter.DoubleToInt64Bits(data[i])));
        }
    }
}
