namespace Differentiable.Tests.Samples;

/// <summary><c>summary --model googlenet</c> prints the tutorial's stage shapes; <c>train --model inception</c> runs an epoch.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class InceptionCommandTests
{
    [Fact]
    public void Summary_of_googlenet_prints_the_tutorials_stage_shapes_for_a_96_by_96_image()
    {
        var (exit, output) = SamplesConsole.Run("summary", "--model", "googlenet");
        Assert.Equal(0, exit);
        Assert.Contains("Input shape: (1, 1, 96, 96)", output);
        foreach (var stage in new[]
        {
            "MaxPool2d (b1)       output shape: (1, 64, 24, 24)", "MaxPool2d (b2)       output shape: (1, 192, 12, 12)",
            "MaxPool2d (b3)       output shape: (1, 480, 6, 6)", "MaxPool2d (b4)       output shape: (1, 832, 3, 3)",
            "GlobalAvgPool2d (b5) output shape: (1, 1024)", "Linear               output shape: (1, 10)",
        })
            Assert.Contains(stage, output);
    }

    [Fact]
    public void One_epoch_of_the_small_inception_net_on_a_few_digits()
    {
        using var data = SamplesConsole.Digits(40, 20);
        var (exit, output) = SamplesConsole.Run("train", "--model", "inception", "--epochs", "1", "--limit", "40",
            "--data", data.Path, "--out", Path.Combine(data.Path, "out"));
        Assert.Equal(0, exit);
        Assert.Contains("InceptionNet", output);
        var accuracy = double.Parse(output.Trim().Split('\n')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(accuracy, 0, 100);
    }
}
