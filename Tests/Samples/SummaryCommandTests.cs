namespace Differentiable.Tests.Samples;

/// <summary><c>summary --model M --batch B</c> for every model <c>train</c> takes: torchinfo's table from the generated summary.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class SummaryCommandTests
{
    [Theory]
    [InlineData("flatnet", "118,282")]
    [InlineData("sinnet", "670,730")]
    [InlineData("twolayer", "79,510")]
    [InlineData("softmax", "7,850")]
    [InlineData("cnn", "8,490")]
    [InlineData("lenet", "61,706")]
    [InlineData("inception", "19,974")]
    [InlineData("dropout-mlp", "269,322")]
    [InlineData("layered-mlp", "118,282")]
    public void Every_model_train_takes_has_a_summary(string model, string parameters)
    {
        var (exit, output) = SamplesConsole.Run("summary", "--model", model, "--batch", "3");
        Assert.Equal(0, exit);
        Assert.Contains("Layer (type)", output);
        Assert.Contains("x (Input)", output);
        Assert.Contains("(3, 784)", output);
        Assert.Contains($"Total params: {parameters}", output);
        Assert.Contains("Forward/backward pass size (MB):", output);
    }

    [Fact]
    public void The_cnns_table_at_batch_64()
    {
        var (exit, output) = SamplesConsole.Run("summary", "--model", "cnn", "--batch", "64");
        Assert.Equal(0, exit);
        foreach (var row in new[] { "Conv1 (Conv2d)        (64, 10, 24, 24)      260", "Pool (MaxPool2d)      (64, 10, 12, 12)        0", "Fc (Linear)           (64, 10)            3,210", "Forward/backward pass size (MB): 5.08" })
            Assert.Contains(row, output);
    }
}
