using System.Globalization;
using Differentiable.Checkpoints;
using Differentiable.Data;
using Differentiable.Samples.Cli;
using Differentiable.Tests.Data;

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
    private static (int Exit, string Output) Train(params string[] options) =>
        Samples(new[] { "train", "--epochs", "1", "--limit", "10" }.Concat(options).ToArray());

    private static (int Exit, string Output) Samples(params string[] args) => SamplesConsole.Run(args);

    [Fact]
    public void Train_help_lists_the_options_with_their_defaults()
    {
        var (exit, output) = Samples("train", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("--epochs", output);
        Assert.Contains("[default: 10]", output);
        Assert.Contains("--model <flatnet|sinnet|twolayer|softmax|cnn|lenet|inception|dropout-mlp|layered-mlp>", output);
    }

    [Fact]
    public void A_bad_option_is_one_line_saying_what_is_allowed_then_where_help_is()
    {
        var (exit, output) = Samples("train", "--epochs", "0", "--model", "resnet");
        Assert.Equal(2, exit);
        Assert.Equal(new[]
        {
            "--epochs must be at least 1, not 0.",
            "--model must be one of flatnet, sinnet, twolayer, softmax, cnn, lenet, inception, dropout-mlp, layered-mlp, not 'resnet'.",
            "Run 'train --help' for the options.",
        }, output.Trim().Split('\n').Select(l => l.Trim()).Order().ToArray().OrderBy(l => l.StartsWith("Run") ? 1 : 0).ThenBy(l => l, StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Numbers_are_read_the_same_in_every_locale_and_choices_in_any_case()
    {
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");   // where "0.05" reads as 5 to double.Parse
        try
        {
            var rate = Options.Double("lr", 0.01, 0, "the rate");
            Assert.Equal(0.05, new System.CommandLine.RootCommand { rate }.Parse(new[] { "--lr", "0.05" }).GetValue(rate));

            // The model in capitals is accepted; the empty save path then stops the command before any training.
            var (exit, output) = Samples("train", "--model", "FLATNET", "--lr", "0.05", "--save", "");
            Assert.Equal(2, exit);
            Assert.StartsWith("--save needs a file name.", output);
            (exit, output) = Samples("train", "--lr", "fast");
            Assert.Equal(2, exit);
            Assert.StartsWith("--lr must be a number like 0.05, not 'fast'.", output);
            (exit, output) = Samples("train", "--epochs", "ten", "--limit", "x");
            Assert.Equal(2, exit);
            Assert.Contains("--epochs must be a whole number, not 'ten'.", output);
            Assert.Contains("--limit must be a whole number, not 'x'.", output);
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
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

    private static TempDirectory Digits(int train, int test, int side = 28) => SamplesConsole.Digits(train, test, side);

    [Fact]
    public void Images_that_are_not_28_by_28_are_one_line()
    {
        using var data = Digits(20, 10, side: 10);
        var (exit, output) = Train("--data", data.Path);
        Assert.Equal(1, exit);
        Assert.Equal($"The images in {data.Path} have 100 pixels each; the sample models take MNIST's 28×28 = 784.", output.Trim());
    }

    [Fact]
    public void An_empty_test_set_is_one_line_not_a_NaN_accuracy()
    {
        using var data = Digits(20, 0);
        var (exit, output) = Train("--data", data.Path);
        Assert.Equal(1, exit);
        Assert.Contains("has 20 training and 0 test images; training needs at least one of each.", output);
        Assert.DoesNotContain("NaN", output);
    }

    [Fact]
    public void A_checkpoint_with_NaN_weights_names_the_tensor()
    {
        using var data = Digits(20, 10);
        var checkpoint = data.File("nan.safetensors");
        var model = new Differentiable.Samples.Models.FlatNet();
        model.W2 = Tensor.Full(new[] { 128, 128 }, double.NaN);
        Safetensors.Save(model, checkpoint);
        var (exit, output) = Train("--data", data.Path, "--load", checkpoint);
        Assert.Equal(1, exit);
        Assert.EndsWith($"{checkpoint}: W2 holds NaN or infinite values; training cannot start from it", output.Trim());
    }

    [Fact]
    public void Fashion_labels_title_the_pictures_with_the_data_set()
    {
        using var data = Digits(40, 16);
        var output = Path.Combine(data.Path, "pictures");
        var (exit, printed) = Train("--data", data.Path, "--labels", "fashion", "--out", output);
        Assert.Equal(0, exit);
        var run = Directory.GetDirectories(output).Single(d => !d.EndsWith("-latest"));
        Assert.True(File.Exists(Path.Combine(run, "digits.png")), printed);
        Assert.Contains("Final test accuracy", printed);
    }
}
