using System.Xml.Linq;
using Differentiable.Inspection;
using Differentiable.Samples.Cli;
using Differentiable.Samples.Models;
using Differentiable.Samples.Training;
using Differentiable.Tests.Data;

namespace Differentiable.Tests.Samples;

/// <summary><c>show</c> as a user runs it: the code on standard output, the graph file written, every mistake one line naming the choices.</summary>
[Collection(nameof(ConsoleCollection))]
public sealed class ShowCommandTests
{
    private static (int Exit, string Output, string Errors) Show(params string[] args)
    {
        var (oldOut, oldError) = (Console.Out, Console.Error);
        var (output, errors) = (new StringWriter(), new StringWriter());
        Console.SetOut(output);
        Console.SetError(errors);
        try
        {
            return (SamplesApp.Run(new[] { "show" }.Concat(args).ToArray()), output.ToString(), errors.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    [Fact]
    public void Show_prints_the_gradient_code_of_flatnets_loss_by_default()
    {
        var (exit, output, errors) = Show("--model", "flatnet");
        Assert.Equal(0, exit);
        Assert.Equal("", errors);
        Assert.Equal(Inspect.Gradient(typeof(FlatNet), "Loss").CSharp + "\n", output);   // plain when redirected: exactly the code
        Assert.Contains("public (Tensor Value, LossGradients Gradients) LossWithGradients(Tensor x, Labels y, Tensor? seed = null)", output);
    }

    [Fact]
    public void Method_and_cuda_choose_what_is_printed()
    {
        var (exit, output, _) = Show("--model", "flatnet", "--method", "Forward");
        Assert.Equal(0, exit);
        Assert.Contains("ForwardVjpParametersOnly(Tensor x)", output);
        (exit, output, _) = Show("--model", "FlatNet", "--method", "forward", "--cuda");
        Assert.Equal(0, exit);
        Assert.Equal(FlatNet.ForwardCudaSource, output);   // it ends with a line break already
        Assert.Contains("extern \"C\" __global__ void h1(", output);
    }

    [Theory]
    [InlineData("g.svg")]
    [InlineData("g.png")]
    [InlineData("g.dot")]
    public void The_graph_is_written_in_the_format_its_extension_names(string name)
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, name);
        var (exit, output, errors) = Show("--model", "flatnet", "--graph", path);
        Assert.Equal(0, exit);
        Assert.Contains("LossWithGradients", output);
        Assert.StartsWith($"Wrote the graphs of FlatNet.Loss to {path} (11 forward, 10 backward nodes).", errors);
        var bytes = File.ReadAllBytes(path);
        switch (Path.GetExtension(name))
        {
            case ".svg": Assert.Equal("svg", XDocument.Parse(File.ReadAllText(path)).Root!.Name.LocalName); break;
            case ".png": Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]); break;
            default:
                Assert.Equal(GraphDot.Write(Inspect.Gradient(typeof(FlatNet), "Loss")), File.ReadAllText(path));
                Assert.Contains("dot -Tsvg", errors);
                break;
        }
    }

    [Theory]
    [InlineData("twolayer", typeof(TwoLayerNN))]
    [InlineData("softmax", typeof(SoftmaxRegression))]
    [InlineData("layered-mlp", typeof(LayeredMLP))]
    [InlineData("dropout-mlp", typeof(DropoutMLP))]
    [InlineData("inception", typeof(InceptionNet))]        // as train and summary mean it
    [InlineData("inception-block", typeof(Inception))]     // the block, whose class name inception now means InceptionNet
    [InlineData("TwoLayerNN", typeof(TwoLayerNN))]         // a class name, in any case
    [InlineData("residualstack", typeof(ResidualStack))]
    public void Model_takes_trains_short_names_and_class_names(string name, Type model)
    {
        var (exit, output, errors) = Show("--model", name);
        Assert.Equal(0, exit);
        Assert.Equal("", errors);
        var methods = Inspect.Methods(model);
        Assert.Equal(Inspect.Gradient(model, methods.Contains("Loss") ? "Loss" : methods[0]).CSharp.TrimEnd('\n') + "\n", output);
    }

    [Fact]
    public void Every_name_train_takes_is_a_model_show_takes()
    {
        foreach (var name in TrainableModel.Names) Assert.Contains(name, ShowCommand.Names);
        Assert.Equal(TrainableModel.Names, ShowCommand.Names.Take(TrainableModel.Names.Length));   // listed first, in train's order
        Assert.Equal(ShowCommand.Names.Count, ShowCommand.Models.Count);
    }

    [Fact]
    public void An_unknown_model_is_one_line_naming_the_models()
    {
        var (exit, _, errors) = Show("--model", "resnet");
        Assert.Equal(2, exit);
        var lines = errors.Trim().Split('\n').Select(l => l.Trim()).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("--model must be one of flatnet, sinnet, twolayer, softmax, cnn, lenet, inception, dropout-mlp, layered-mlp, alexnet, googlenet, ", lines[0]);
        Assert.Contains(" inception-block, ", lines[0]);
        Assert.Contains(" twolayernn", lines[0]);
        Assert.EndsWith(", not 'resnet'.", lines[0]);
        Assert.Equal("Run 'show --help' for the options.", lines[1]);
    }

    [Theory]
    [InlineData("Los", "FlatNet has no [Differentiable] method 'Los'; choose one of Forward, Loss.")]
    [InlineData("", "FlatNet has no [Differentiable] method ''; choose one of Forward, Loss.")]
    public void An_unknown_method_is_one_line_naming_the_methods(string method, string message)
    {
        var (exit, output, errors) = Show("--model", "flatnet", "--method", method);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal(message, errors.TrimEnd('\n'));
    }

    [Theory]
    [InlineData(new[] { "--model", "flatnet", "--graph", "g.jpg" }, "--graph must name a .svg, .png or .dot file, not 'g.jpg'.")]
    [InlineData(new[] { "--model", "flatnet", "--html", "g.svg" }, "--html must name a .html file, not 'g.svg'.")]
    [InlineData(new[] { "--model", "flatnet", "--batch", "32" }, "--batch goes with --cuda: it lists the CUDA kernels' launches at that batch size.")]
    [InlineData(new[] { "--model", "flatnet", "--method", "forward", "--cuda", "--batch", "32" }, "--batch lists the launches of a training step: it takes the Loss of a model train takes (flatnet, sinnet, twolayer, softmax, cnn, lenet, inception, dropout-mlp, layered-mlp), not FlatNet.Forward.")]
    [InlineData(new[] { "--model", "loopnet", "--graph", "g.svg" }, "LoopNet.Forward has control flow (if/while/for): it is differentiated statement by statement and has no single graph to draw.")]
    [InlineData(new[] { "--model", "loopnet", "--cuda" }, "LoopNet.Forward has no device program, so no CUDA; its C# says why (show without --cuda).")]
    public void What_cannot_be_shown_is_one_line_saying_why(string[] args, string message)
    {
        var (exit, output, errors) = Show(args);
        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Equal(message, errors.TrimEnd('\n'));
    }

    [Fact]
    public void Batch_lists_the_launches_after_the_cuda_which_is_the_same_for_every_batch()
    {
        var (exit, output, errors) = Show("--model", "flatnet", "--cuda", "--batch", "32");
        Assert.Equal(0, exit);
        Assert.Equal("", errors);
        Assert.StartsWith(FlatNet.LossCudaSource + "\n// ===== FlatNet.Loss at batch 32: 23 launches, each as output (its shape) = kernel(inputs);\n", output);
        Assert.Contains("\n//     1  h1 (32, 128) = h1(h1_parts, h1_parts, B1)\n", output);
        Assert.Contains("\n//    17  d_W1 (784, 128) = product(xᵀ, d_h1_add)\n", output);
        var (_, other, _) = Show("--model", "cnn", "--cuda", "--batch", "7");
        Assert.StartsWith(CNN.LossCudaSource + "\n// ===== CNN.Loss at batch 7: ", other);
        Assert.Contains(" (7, ", other);
    }

    [Fact]
    public void Html_writes_one_page_with_the_code_and_the_graph()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "flatnet.html");
        var (exit, output, errors) = Show("--model", "flatnet", "--html", path);
        Assert.Equal(0, exit);
        Assert.Contains("LossWithGradients", output);
        Assert.StartsWith($"Wrote {path}: FlatNet.Loss, its generated code and its graphs; open it in a browser and click a node.", errors);
        var page = File.ReadAllText(path);
        Assert.StartsWith("<!DOCTYPE html>", page);
        Assert.Contains("<svg ", page);
        Assert.Contains("const NODES = ", page);
    }

    [Fact]
    public void Html_of_a_method_with_control_flow_has_its_code_and_no_graph()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "loop.html");
        var (exit, _, _) = Show("--model", "loopnet", "--html", path);
        Assert.Equal(0, exit);
        var page = File.ReadAllText(path);
        Assert.DoesNotContain("<svg ", page);
        Assert.Contains("has no single graph", page);
    }

    [Fact]
    public void Help_lists_the_options()
    {
        var (exit, output, _) = Show("--help");
        Assert.Equal(0, exit);
        foreach (var option in new[] { "--model", "--method", "--cuda", "--graph", "--html", "--batch" }) Assert.Contains(option, output);
    }
}
