using System.CommandLine;
using Differentiable.Samples.Models;

namespace Differentiable.Samples.Cli;

/// <summary>
/// <c>summary --model M [--batch B]</c>: torchinfo's table for a model, from the generated <c>ForwardSummary</c> (the
/// generator writes one per [Differentiable] method without control flow): each layer's output shape and parameter count,
/// the totals, and the memory a batch of B takes. It runs the model's forward once on B made-up inputs: AlexNet takes
/// 1×224×224 images, GoogLeNet 1×96×96 ones (the tutorial's), the MNIST nets flattened 28×28 digits.
/// </summary>
internal static class SummaryCommand
{
    /// <summary>The models <c>summary</c> takes: <c>train</c>'s, then AlexNet and GoogLeNet.</summary>
    public static readonly string[] Names = Training.TrainableModel.Names.Concat(new[] { "alexnet", "googlenet" }).ToArray();

    public static Command Create()
    {
        var model = Options.Choice("model", "alexnet", Names, "the model to summarize");
        var batch = Options.Int("batch", 1, 1, "inputs per batch: the shapes and the memory are a batch's");
        var command = new Command("summary", "each layer's output shape and parameters, the totals and a batch's memory (torchinfo's table)") { model, batch };
        command.SetAction(r => Run(r.GetValue(model)!, r.GetValue(batch)));
        return command;
    }

    private static int Run(string model, int batch)
    {
        Summarize(model, batch).Print();
        return 0;
    }

    /// <summary>The summary of model <paramref name="name"/> for a batch of <paramref name="batch"/> made-up inputs.</summary>
    public static Summary Summarize(string name, int batch)
    {
        var digits = Input(batch, 784);
        return name switch
        {
            "alexnet" => Run(new AlexNet(), (m, s) =>
            {
                var (mask1, mask2) = m.NoDropout(batch);
                return m.ForwardSummary(s, Input(batch, 1, 224, 224), mask1, mask2);
            }),
            "googlenet" => Run(new GoogLeNet(), (m, s) => m.ForwardSummary(s, Input(batch, 1, 96, 96))),
            "flatnet" => Run(new FlatNet(), (m, s) => m.ForwardSummary(s, digits)),
            "sinnet" => Run(new SinNet(hidden: 512), (m, s) => m.ForwardSummary(s, digits)),
            "twolayer" => Run(new TwoLayerNN(), (m, s) => m.ForwardSummary(s, digits)),
            "softmax" => Run(new SoftmaxRegression(), (m, s) => m.ForwardSummary(s, digits)),
            "cnn" => Run(new CNN(), (m, s) => m.ForwardSummary(s, digits)),
            "lenet" => Run(new LeNet(), (m, s) => m.ForwardSummary(s, digits)),
            "inception" => Run(new InceptionNet(), (m, s) => m.ForwardSummary(s, digits)),
            // Evaluation's all-ones masks: dropout off, the shapes are the same.
            "dropout-mlp" => Run(new DropoutMLP(), (m, s) =>
            {
                var (mask1, mask2) = m.NoDropout(batch);
                return m.ForwardSummary(s, digits, mask1, mask2);
            }),
            // Forward loops over the layers (control flow: no ForwardSummary); Loss calls it, one layer of the summary.
            "layered-mlp" => Run(new LayeredMLP(), (m, s) => m.LossSummary(s, digits, new Labels(new int[batch]))),
            _ => throw new UsageException($"summary takes {string.Join(", ", Names)}, not '{name}'."),
        };
    }

    private static Summary Run<TModel>(TModel model, Func<TModel, Summary, Tensor> forward) where TModel : IModule
    {
        var summary = new Summary(model);
        forward(model, summary);
        return summary;
    }

    private static Tensor Input(params int[] shape) => Tensor.Uniform(shape, 0, 1, new Rng(1));
}
