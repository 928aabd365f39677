using System.Diagnostics;
using Differentiable.Checkpoints;

namespace Differentiable.Tests.Checkpoints;

/// <summary>
/// Where a checkpoint may be written, checked before anything is written (and by training loops before training):
/// each bad target is one clear <see cref="CheckpointException"/> naming the path, and nothing else is touched.
/// </summary>
public class SaveTargetTests
{
    private static TestModule Model() => new TestModule().Add("W", Tensor.FromArray([1f, 2f, 3f]));

    [Fact]
    public void A_symbolic_link_is_written_through_and_stays_a_link()
    {
        using var dir = new CheckpointDirectory();
        var target = dir.File("real.safetensors");
        var link = dir.File("latest.safetensors");
        File.CreateSymbolicLink(link, target);

        Safetensors.Save(Model(), link);

        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.True(File.Exists(target));
        var loaded = new TestModule().Add("W", Tensor.Zeros(3));
        Safetensors.Load(loaded, link);
        Assert.Equal([1f, 2f, 3f], loaded["W"].ReadOnlySpan<float>().ToArray());
    }

    [SkippableFact]
    public void A_device_node_is_refused_and_left_alone()
    {
        Skip.IfNot(File.Exists("/dev/full"), "needs /dev/full (Linux)");
        var e = Assert.Throws<CheckpointException>(() => Safetensors.CheckSavePath("/dev/full"));
        Assert.Contains("not a regular file", e.Message);
        Assert.Throws<CheckpointException>(() => Safetensors.Save(Model(), "/dev/full"));
        Assert.Null(new FileInfo("/dev/full").LinkTarget);
        Assert.Equal(0, new FileInfo("/dev/full").Length);   // still the device, not a file full of tensors
    }

    [SkippableFact]
    public void A_pipe_is_refused()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/usr/bin/mkfifo"), "needs mkfifo");
        using var dir = new CheckpointDirectory();
        var fifo = dir.File("pipe");
        Process.Start("/usr/bin/mkfifo", fifo)!.WaitForExit();
        var e = Assert.Throws<CheckpointException>(() => Safetensors.Save(Model(), fifo));
        Assert.StartsWith(fifo + ": ", e.Message);
        Assert.Contains("not a regular file", e.Message);
    }

    [Fact]
    public void A_directory_a_missing_directory_and_an_empty_name_are_refused()
    {
        using var dir = new CheckpointDirectory();
        Assert.Contains("is a directory", Assert.Throws<CheckpointException>(() => Safetensors.CheckSavePath(dir.Path)).Message);
        var missing = Path.Combine(dir.Path, "no-such-folder", "model.safetensors");
        Assert.Contains("does not exist", Assert.Throws<CheckpointException>(() => Safetensors.CheckSavePath(missing)).Message);
        Assert.Throws<ArgumentException>(() => Safetensors.CheckSavePath(""));
        Assert.Empty(dir.Files());
    }

    [Fact]
    public void Loading_a_directory_says_so()
    {
        using var dir = new CheckpointDirectory();
        var e = Assert.Throws<CheckpointException>(() => Safetensors.Load(Model(), dir.Path));
        Assert.Contains("is a directory", e.Message);
    }

    [Fact]
    public void A_save_removes_old_temporary_files_of_killed_saves_but_not_fresh_ones()
    {
        using var dir = new CheckpointDirectory();
        var path = dir.File("model.safetensors");
        var stale = dir.File(".model.safetensors.0123456789abcdef0123456789abcdef.tmp");
        var fresh = dir.File(".model.safetensors.fedcba9876543210fedcba9876543210.tmp");
        var other = dir.File(".other.safetensors.0123456789abcdef0123456789abcdef.tmp");
        foreach (var file in new[] { stale, fresh, other }) File.WriteAllText(file, "half a checkpoint");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1));
        File.SetLastWriteTimeUtc(other, DateTime.UtcNow.AddHours(-1));

        Safetensors.Save(Model(), path);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));   // may belong to a save still running
        Assert.True(File.Exists(other));   // another checkpoint's
    }
}
