using Differentiable;
using Differentiable.Checkpoints;

namespace Differentiable.Tests.Checkpoints;

public class SafetensorsAtomicWriteTests
{
    /// <summary>
    /// A module whose parameter changes after the first read — as if another thread replaced it mid-save. The writer
    /// reads it once for the header and again for the data, so the save fails after the header has been written.
    /// </summary>
    private sealed class ChangingModule(Func<int, Tensor> valueOnRead) : IModule
    {
        private int _reads;

        public IReadOnlyList<NamedParameter> Parameters() =>
        [
            new("Stable", () => Tensor.Ones(1000), _ => { }),
            new("Changing", () => valueOnRead(_reads++), _ => { }),
        ];
    }

    private static (CheckpointDirectory Dir, string Path, byte[] Old) ExistingCheckpoint()
    {
        var dir = new CheckpointDirectory();
        var path = dir.File("model.safetensors");
        Safetensors.Save(new TestModule().Add("W", Tensor.FromArray([1f, 2f, 3f])), path);
        return (dir, path, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_tensor_that_changes_dtype_mid_save_fails_the_save_and_leaves_the_old_file_intact()
    {
        var (dir, path, old) = ExistingCheckpoint();
        using var _ = dir;
        var model = new ChangingModule(read => read == 0 ? Tensor.Zeros([2], DType.Float32) : Tensor.Zeros([2], DType.Float64));

        var e = Assert.Throws<CheckpointException>(() => Safetensors.Save(model, path));

        Assert.Contains("Changing: the tensor changed while it was being saved (it was F32 (2) when the header was written, now F64 (2))", e.Message);
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.safetensors" }, dir.Files());
    }

    [Fact]
    public void An_exception_midway_through_writing_leaves_the_old_file_intact_and_no_temp_file()
    {
        var (dir, path, old) = ExistingCheckpoint();
        using var _ = dir;
        var model = new ChangingModule(read => read == 0 ? Tensor.Zeros(2) : throw new InvalidOperationException("device lost"));

        Assert.Throws<InvalidOperationException>(() => Safetensors.Save(model, path));

        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.safetensors" }, dir.Files());
    }

    [Fact]
    public void Invalid_tensors_are_refused_before_any_file_is_created()
    {
        var (dir, path, old) = ExistingCheckpoint();
        using var _ = dir;

        var e = Assert.Throws<ArgumentException>(() => Safetensors.Save([("W", Tensor.Zeros(1)), ("W", Tensor.Zeros(2))], path));
        Assert.Contains("Two tensors are named 'W'", e.Message);
        Assert.Throws<ArgumentException>(() => Safetensors.Save([("__metadata__", Tensor.Zeros(1))], path));

        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.Equal(new[] { "model.safetensors" }, dir.Files());
    }

    [Fact]
    public void Saving_into_a_missing_directory_fails_without_leaving_anything()
    {
        using var dir = new CheckpointDirectory();
        var path = Path.Combine(dir.Path, "no-such-dir", "m.safetensors");
        var e = Assert.Throws<CheckpointException>(() => Safetensors.Save([("W", Tensor.Zeros(1))], path));
        Assert.Contains("does not exist; create it first", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
