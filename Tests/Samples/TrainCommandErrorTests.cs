using Differentiable.Samples.Cli;

namespace Differentiable.Tests.Samples;

/// <summary>Console output is global: these tests run alone.</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary>
/// What a user sees when <c>train</c> is given a save path it cannot use: one line naming the path and the problem,
/// a non-zero exit code, and no training first (the check comes before the data is even loaded).
/// </summary>
[Collection(nameof(ConsoleCollection))]
public sealed class TrainCommandErrorTests
{
    private static (int Exit, string Output) Train(params string[] options)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        var output = new StringWriter();
        Console.SetOut(output);
        Console.SetError(output);
        try
        {
            return (SamplesApp.Run(new[] { "train", "--epochs", "1", "--limit", "10" }.Concat(options).ToArray()), output.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    [SkippableFact]
    public void A_device_as_the_save_path_is_refused_before_training()
    {
        Skip.IfNot(File.Exists("/dev/full"), "needs /dev/full (Linux)");
        var (exit, output) = Train("--save", "/dev/full");
        Assert.Equal(1, exit);
        Assert.Equal("/dev/full: is not a regular file (a device or a pipe); a checkpoint is written to a new file and renamed over it, which would replace it",
            output.Trim());
    }

    [Fact]
    public void A_missing_directory_is_refused_before_training()
    {
        var path = Path.Combine(Path.GetTempPath(), "differentiable-no-such-" + Guid.NewGuid().ToString("N"), "model.safetensors");
        var (exit, output) = Train("--save", path);
        Assert.Equal(1, exit);
        Assert.Contains("does not exist; create it first", output);
        Assert.DoesNotContain("epoch", output);
    }

    [Fact]
    public void An_empty_save_path_is_a_usage_error()
    {
        var (exit, output) = Train("--save", "");
        Assert.Equal(2, exit);
        Assert.StartsWith("--save needs a file name.", output);
    }
}
