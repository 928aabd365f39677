using System.Buffers.Binary;
using System.Text;
using Differentiable;
using Differentiable.Checkpoints;

namespace Differentiable.Tests.Checkpoints;

public class SafetensorsErrorTests
{
    /// <summary>Writes a file byte by byte: a header (unpadded unless the JSON is) with its length, then the data.</summary>
    private static string WriteRaw(CheckpointDirectory dir, string json, byte[] data, ulong? headerLength = null)
    {
        var path = dir.File("raw.safetensors");
        var header = Encoding.UTF8.GetBytes(json);
        using var stream = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, headerLength ?? (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        stream.Write(data);
        return path;
    }

    private static CheckpointException LoadFails(string path, IModule model)
    {
        var e = Assert.Throws<CheckpointException>(() => Safetensors.Load(model, path));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        return e;
    }

    private static CheckpointException ReadFails(string path)
    {
        var e = Assert.Throws<CheckpointException>(() => Safetensors.ReadAll(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.IsAssignableFrom<IOException>(e);
        return e;
    }

    [Fact]
    public void A_checkpoint_of_another_shape_is_refused_naming_the_tensor_and_both_shapes()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("m.safetensors");
        Safetensors.Save(new TestModule().Add("b1", Tensor.Zeros(64)).Add("W1", Tensor.Zeros(784, 64)), path);

        var b1 = Tensor.Ones(64);
        var model = new TestModule().Add("b1", b1).Add("W1", Tensor.Zeros(784, 128));
        var e = LoadFails(path, model);

        Assert.Equal($"{path}: W1: the checkpoint has shape (784, 64) but the model expects (784, 128)", e.Message);
        Assert.Equal("W1", e.TensorName);
        // All or nothing: b1, which did match, was not loaded either.
        Assert.Same(b1, model["b1"]);
    }

    [Fact]
    public void A_checkpoint_of_another_dtype_is_refused_naming_both_dtypes()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("m.safetensors");
        Safetensors.Save(new TestModule().Add("W", Tensor.Zeros([2, 2], DType.Float64)), path);

        var e = LoadFails(path, new TestModule().Add("W", Tensor.Zeros([2, 2], DType.Float32)));
        Assert.Contains("W: the checkpoint has dtype F64 but the model expects F32", e.Message);
        Assert.Equal("W", e.TensorName);
    }

    [Fact]
    public void A_parameter_missing_from_the_checkpoint_is_named()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("m.safetensors");
        Safetensors.Save(new TestModule().Add("W1", Tensor.Zeros(2)), path);

        var e = LoadFails(path, new TestModule().Add("W1", Tensor.Zeros(2)).Add("L2.W", Tensor.Zeros(2)));
        Assert.Contains("L2.W: the model has this parameter but the checkpoint does not (it holds W1)", e.Message);
        Assert.Equal("L2.W", e.TensorName);
    }

    [Fact]
    public void An_extra_tensor_in_the_checkpoint_is_named()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("m.safetensors");
        Safetensors.Save(new TestModule().Add("W1", Tensor.Zeros(2)).Add("Extra", Tensor.Zeros(1)), path);

        var e = LoadFails(path, new TestModule().Add("W1", Tensor.Zeros(2)));
        Assert.Contains("Extra: the checkpoint has this tensor but the model has no such parameter (it has W1)", e.Message);
        Assert.Equal("Extra", e.TensorName);
    }

    // One valid F32 tensor "a" of shape [2] (8 bytes) is the baseline each case breaks in one way.
    private const string ValidA = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";

    public static TheoryData<string, string, int, string> CorruptFiles() => new()
    {
        // name, header JSON, data length, expected fragment of the message
        { "not JSON", """{"a": oops}""", 0, "the header is not valid JSON" },
        { "not an object", """[1, 2]   """, 0, "does not start with '{'" },
        { "offsets past the end", ValidA, 4, "a: data_offsets [0, 8] run past the data section, which is 4 bytes" },
        { "size disagrees with shape", """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "a: data_offsets [0, 8] cover 8 bytes but dtype F32 with shape (3) needs 12" },
        { "overlap", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "b: data_offsets [4, 12] overlap those of a [0, 8]" },
        { "gap", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "a: data_offsets begin at 4 but the previous tensor ends at 0" },
        { "trailing bytes", ValidA, 16, "the data section is 16 bytes but the header describes 8" },
        { "offsets backwards", """{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", 8, "a: data_offsets [8, 0] end before they begin" },
        { "negative dimension", """{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "a: \"shape\" must hold non-negative integers, found -2" },
        { "no dtype", """{"a":{"shape":[2],"data_offsets":[0,8]}}""", 8, "a: the header entry has no \"dtype\" string" },
        { "unknown dtype", """{"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}""", 8, "a: unknown dtype \"F33\"" },
        { "three offsets", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}""", 8, "a: \"data_offsets\" must hold 2 integers, found 3" },
        { "duplicate key", """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8, "the header lists 'a' twice" },
        { "metadata not strings", """{"__metadata__":{"epoch":3},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, "__metadata__ entry 'epoch' must be a string" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void A_corrupt_header_is_refused_naming_the_file_and_the_problem(string name, string json, int dataLength, string expected)
    {
        _ = name;
        using var dir = new CheckpointDirectory();
        var path = WriteRaw(dir, json, new byte[dataLength]);

        var e = ReadFails(path);
        Assert.Contains(expected, e.Message);
        // Load reports the same problem: the header is validated before the model is even looked at.
        Assert.Contains(expected, LoadFails(path, new TestModule().Add("a", Tensor.Zeros(2))).Message);
    }

    [Fact]
    public void A_header_length_beyond_the_file_is_refused()
    {
        using var dir = new CheckpointDirectory();
        var path = WriteRaw(dir, ValidA, new byte[8], headerLength: 1000);
        Assert.Contains("the header length is 1000 bytes but only 62 bytes follow it (truncated file?)", ReadFails(path).Message);
    }

    [Fact]
    public void An_absurd_header_length_is_refused_without_allocating_it()
    {
        using var dir = new CheckpointDirectory();
        var path = WriteRaw(dir, ValidA, new byte[8], headerLength: 0x7FFF_FFFF_FFFF_FFFF);
        Assert.Contains("more than the format's limit", ReadFails(path).Message);
    }

    [Fact]
    public void A_file_shorter_than_the_length_prefix_is_refused()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("short.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("the file is 3 bytes, too short to be a safetensors file", ReadFails(path).Message);
    }

    [Fact]
    public void A_truncated_checkpoint_is_refused_naming_the_file_and_the_tensor()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("m.safetensors");
        var model = new TestModule().Add("W1", Tensor.Ones(4, 4)).Add("b1", Tensor.Ones(4));
        Safetensors.Save(model, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);

        var e = LoadFails(path, model);
        Assert.Contains("b1: data_offsets [64, 80] run past the data section, which is 77 bytes (truncated file?)", e.Message);
        Assert.Equal("b1", e.TensorName);

        // Cut inside the header too.
        File.WriteAllBytes(path, bytes[..20]);
        Assert.Contains("truncated file?", LoadFails(path, model).Message);
    }

    [Fact]
    public void ReadAll_refuses_a_dtype_the_runtime_has_no_tensor_for_naming_it()
    {
        using var dir = new CheckpointDirectory();
        var path = WriteRaw(dir, """{"h":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}""", new byte[4]);

        var e = ReadFails(path);
        Assert.Contains("h: dtype BF16 is not supported; this runtime reads only F32 and F64 tensors", e.Message);
        Assert.Contains("h: the checkpoint has dtype BF16 but the model expects F32", LoadFails(path, new TestModule().Add("h", Tensor.Zeros(2))).Message);
    }

    [Fact]
    public void A_padded_hand_written_file_with_metadata_last_is_read()
    {
        // Another writer's choices (metadata after the tensors, tensors out of offset order, padding) are all legal.
        using var dir = new CheckpointDirectory();
        var data = new byte[12];
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(0), 7f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4), 1f);
        BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(8), 2f);
        var path = WriteRaw(dir, """{"v":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"__metadata__":{"k":"v"}}     """, data);

        var contents = Safetensors.ReadAll(path);
        Assert.Equal(new[] { "v", "s" }, contents.Tensors.Select(t => t.Name));
        Assert.Equal(new[] { 1f, 2f }, contents["v"].ToFloatArray());
        Assert.Equal(7.0, contents["s"].Item());
        Assert.Equal("v", contents.Metadata["k"]);
    }
}
