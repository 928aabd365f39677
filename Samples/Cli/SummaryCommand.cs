using System.CommandLine;
using Differentiable.Samples.Models;

namespace Differentiable.Samples.Cli;

/// <summary>
/// <c>summary</c>: each layer's output shape for one input, as the seeds print it, and the parameter counts.
/// AlexNet takes a 1×1×224×224 image, GoogLeNet a 1×1×96×96 one (the tutorial's); the MNIST nets a flattened 28×28 digit.
/// </summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var model = Options.Choice("model", "alexnet", new[] { "alexnet", "googlenet", "cnn", "lenet", "inception" }, "the model to summarize");
        var batch = Options.Int("batch", 1, 1, "inputs per batch");
        var command = new Command("summary", "each layer's output shape and the parameter counts") { model, batch };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(batch)));
        return command;
    }

    private static int Run(string model, int batch)
    {
        var (module, summary) = model switch
        {
            "alexnet" => Summarize(new AlexNet(), (m, x) => m.Summarize(x), new[] { batch, 1, 224, 224 }),
            "googlenet" => Summarize(new GoogLeNet(), (m, x) => m.Summarize(x), new[] { batch, 1, 96, 96 }),
            "cnn" => Summarize(new CNN(), (m, x) => m.Summarize(x), new[] { batch, 784 }),
            "inception" => Summarize(new InceptionNet(), (m, x) => m.Summarize(x), new[] { batch, 784 }),
            _ => Summarize(new LeNet(), (m, x) => m.Summarize(x), new[] { batch, 784 }),
        };
        summary.Print(module);
        return 0;
    }

    private static (IModule, Summary) Summarize<TModel>(TModel model, Func<TModel, Tensor, Summary> summarize, int[] inputShape) where TModel : IModule =>
        (model, summarize(model, Tensor.Uniform(inputShape, 0, 1, new Rng(1))));
}
