using System.Buffers.Binary;
using System.Text;
using Differentiable;
using Differentiable.Checkpoints;

namespace Differentiable.Tests.Checkpoints;

public class SafetensorsRoundTripTests
{
    private static Tensor Rank3Float64()
    {
        var values = new double[2 * 3 * 4];
        for (var i = 0; i < values.Length; i++) values[i] = Math.Sin(i + 1) * Math.Pow(10, i % 7 - 3);
        values[5] = double.NaN;
        values[6] = -0.0;
        values[7] = double.NegativeInfinity;
        values[8] = double.Epsilon; // subnormal
        values[9] = BitConverter.Int64BitsToDouble(0x7FF8_0000_0000_1234); // NaN with a payload
        return Tensor.FromArray(values, 2, 3, 4);
    }

    private static Tensor MatrixFloat32() =>
        Tensor.FromArray([1.5f, -0f, float.PositiveInfinity, float.Epsilon, BitConverter.Int32BitsToSingle(0x7FC0_0ABC), 1f / 3f], 2, 3);

    [Fact]
    public void Float32_and_Float64_tensors_of_every_rank_load_back_bit_identical()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("model.safetensors");
        var saved = new TestModule()
            .Add("Scalar", Tensor.Scalar(0.1, DType.Float32))
            .Add("Cube", Rank3Float64())
            .Add("Matrix", MatrixFloat32())
            .Add("Empty", Tensor.Zeros([0, 3], DType.Float64))
            .Add("Vector64", Tensor.FromArray([Math.PI, Math.E]));
        Safetensors.Save(saved, path);

        var loaded = new TestModule()
            .Add("Scalar", Tensor.Zeros([], DType.Float32))
            .Add("Cube", Tensor.Zeros([2, 3, 4], DType.Float64))
            .Add("Matrix", Tensor.Zeros([2, 3], DType.Float32))
            .Add("Empty", Tensor.Zeros([0, 3], DType.Float64))
            .Add("Vector64", Tensor.Zeros([2], DType.Float64));
        Safetensors.Load(loaded, path);

        foreach (var name in new[] { "Scalar", "Cube", "Matrix", "Empty", "Vector64" })
            Bits.Identical(saved[name], loaded[name]);
        Assert.Equal(Array.Empty<int>(), loaded["Scalar"].Shape);
        Assert.Equal(new[] { "model.safetensors" }, dir.Files());
    }

    [Fact]
    public void Sub_module_parameters_are_saved_under_their_dotted_paths_in_parameter_order()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("two-layer.safetensors");
        var rng = new Rng(7);
        var saved = new TwoLayer();
        saved.L1.W = Tensor.Randn([3, 2], rng);
        saved.L1.B = Tensor.Randn([2], rng);
        saved.Scale = Tensor.Scalar(2.25, DType.Float64);
        Safetensors.Save(saved, path);

        var contents = Safetensors.ReadAll(path);
        Assert.Equal(new[] { "L1.W", "L1.B", "Scale" }, contents.Tensors.Select(t => t.Name));
        Bits.Identical(saved.L1.W, contents["L1.W"]);

        var loaded = new TwoLayer();
        Safetensors.Load(loaded, path);
        Bits.Identical(saved.L1.W, loaded.L1.W);
        Bits.Identical(saved.L1.B, loaded.L1.B);
        Bits.Identical(saved.Scale, loaded.Scale);
    }

    [Fact]
    public void Load_gives_parameters_new_tensors_and_leaves_the_old_ones_alone()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("m.safetensors");
        Safetensors.Save(new TestModule().Add("W", Tensor.FromArray([1f, 2f])), path);

        var old = Tensor.FromArray([9f, 9f]);
        var model = new TestModule().Add("W", old);
        Safetensors.Load(model, path);

        Assert.NotSame(old, model["W"]);
        Assert.Equal(new[] { 9f, 9f }, old.ToFloatArray());
        Assert.Equal(new[] { 1f, 2f }, model["W"].ToFloatArray());
    }

    [Fact]
    public void The_file_layout_is_exactly_the_safetensors_format()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("tiny.safetensors");
        Safetensors.Save([("xyz", Tensor.FromArray([1f, -2.5f], 1, 2))], path);

        var bytes = File.ReadAllBytes(path);
        const string json = """{"xyz":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}""";
        Assert.Equal(58, json.Length);
        // 8-byte little-endian length of the padded header: 58 bytes of JSON + 6 spaces = 64.
        Assert.Equal(new byte[] { 64, 0, 0, 0, 0, 0, 0, 0 }, bytes[..8]);
        Assert.Equal(json + "      ", Encoding.UTF8.GetString(bytes, 8, 64));
        // Then the data: 1.0f and -2.5f, little-endian.
        Assert.Equal(new byte[] { 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0 }, bytes[72..]);
        Assert.Equal(80, bytes.Length);
    }

    [Fact]
    public void Offsets_are_relative_to_the_data_section_and_follow_the_given_order()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("two.safetensors");
        Safetensors.Save([("b", Tensor.FromArray([1.0, 2.0, 3.0])), ("a", Tensor.Scalar(4, DType.Float32))], path);

        var bytes = File.ReadAllBytes(path);
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        Assert.Equal(
            """{"b":{"dtype":"F64","shape":[3],"data_offsets":[0,24]},"a":{"dtype":"F32","shape":[],"data_offsets":[24,28]}}""",
            Encoding.UTF8.GetString(bytes, 8, n).TrimEnd(' '));
        Assert.Equal(8 + n + 28, bytes.Length);
        Assert.Equal(2.0, BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(8 + n + 8)));
        Assert.Equal(4f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + n + 24)));
    }

    [Fact]
    public void Metadata_round_trips_and_is_written_first()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("meta.safetensors");
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["epoch"] = "12",
            ["note"] = "quotes \" and \\ and ünïcödé ✓\nnew line",
        };
        Safetensors.Save(new TestModule().Add("W", Tensor.FromArray([1f])), path, metadata);

        var contents = Safetensors.ReadAll(path);
        Assert.Equal(metadata.OrderBy(kv => kv.Key), contents.Metadata.OrderBy(kv => kv.Key));
        var bytes = File.ReadAllBytes(path);
        Assert.StartsWith("""{"__metadata__":{"format":"pt","epoch":"12","note":""", Encoding.UTF8.GetString(bytes, 8, bytes.Length - 8));

        // No metadata: no __metadata__ key at all, and an empty map when read.
        Safetensors.Save(new TestModule().Add("W", Tensor.FromArray([1f])), path);
        Assert.Empty(Safetensors.ReadAll(path).Metadata);
        Assert.DoesNotContain("__metadata__", File.ReadAllText(path));
    }

    [Fact]
    public void Saving_over_an_existing_checkpoint_replaces_it_and_leaves_no_temp_file()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("m.safetensors");
        Safetensors.Save(new TestModule().Add("W", Tensor.FromArray([1f])), path);
        Safetensors.Save(new TestModule().Add("W", Tensor.FromArray([2f, 3f])), path);

        Assert.Equal(new[] { 2f, 3f }, Safetensors.ReadAll(path)["W"].ToFloatArray());
        Assert.Equal(new[] { "m.safetensors" }, dir.Files());
    }
}
