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
        Assert.Contains("x (Input)", output);
        foreach (var stage in new[]
        {
            "(1, 1, 96, 96)", "b1 (MaxPool2d)", "(1, 64, 24, 24)", "b2 (MaxPool2d)", "(1, 192, 12, 12)", "b3 (MaxPool2d)", "(1, 480, 6, 6)",
            "b4 (MaxPool2d)", "(1, 832, 3, 3)", "b5 (GlobalAvgPool2d)", "(1, 1024)", "Fc (Linear)", "(1, 10)", "Total params: 5,977,530",
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
