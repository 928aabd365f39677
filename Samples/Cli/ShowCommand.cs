using System.CommandLine;
using Differentiable.Inspection;
using Differentiable.Samples.Inspection;
using Differentiable.Samples.Models;
using Differentiable.Samples.Training;
using Differentiable.Scheduling;
using Spectre.Console;

namespace Differentiable.Samples.Cli;

/// <summary>
/// <c>show --model M [--method Loss] [--cuda [--batch B]] [--graph PATH.svg|.png|.dot] [--html PATH.html]</c>: prints the
/// gradient code the generator wrote for a [Differentiable] method (<see cref="Inspect.Gradient"/>), with syntax colours
/// on a terminal and plain when redirected, draws its forward and backward graphs, and writes a page to explore them.
/// </summary>
internal static class ShowCommand
{
    /// <summary>
    /// The names <c>train</c> and <c>summary</c> take for their models (<c>twolayer</c>, <c>layered-mlp</c>, <c>inception</c>
    /// is InceptionNet there), which <c>show</c> takes too.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, Type> ShortNames = new Dictionary<string, Type>
    {
        ["flatnet"] = typeof(FlatNet), ["sinnet"] = typeof(SinNet), ["twolayer"] = typeof(TwoLayerNN), ["softmax"] = typeof(SoftmaxRegression),
        ["cnn"] = typeof(CNN), ["lenet"] = typeof(LeNet), ["inception"] = typeof(InceptionNet), ["dropout-mlp"] = typeof(DropoutMLP),
        ["layered-mlp"] = typeof(LayeredMLP), ["alexnet"] = typeof(AlexNet), ["googlenet"] = typeof(GoogLeNet),
    };

    /// <summary>
    /// Every class of the samples with a [Differentiable] method: by the short name <c>train</c> gives it, and by its class
    /// name in lower case; the Inception block, whose class name <c>inception</c> means InceptionNet, is <c>inception-block</c>.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, Type> Models = AllNames();

    /// <summary>The names <c>--model</c> takes, as help and a wrong name list them: <c>train</c>'s short names first, then the other classes'.</summary>
    public static readonly IReadOnlyList<string> Names =
        ShortNames.Keys.Concat(Models.Keys.Except(ShortNames.Keys).Order(StringComparer.Ordinal)).ToList();

    private static Dictionary<string, Type> AllNames()
    {
        var names = new Dictionary<string, Type>(ShortNames);
        foreach (var type in Inspect.Models(typeof(FlatNet).Assembly))
            if (!names.TryAdd(type.Name.ToLowerInvariant(), type) && names[type.Name.ToLowerInvariant()] != type)
                names.TryAdd(type.Name.ToLowerInvariant() + "-block", type);
        return names;
    }

    private static readonly string[] GraphFormats = { ".svg", ".png", ".dot" };

    public static Command Create()
    {
        var model = Options.Choice("model", "flatnet", Names, "the model whose gradient to show: a name train takes, or a class name");
        var method = Options.Text("method", "the [Differentiable] method [default: Loss, else the class's first]");
        var cuda = new Option<bool>("--cuda") { Description = "print the CUDA kernels of its device program instead of the C#" };
        var graph = Options.Text("graph", "also draw the forward and backward graphs side by side, to PATH.svg, .png or .dot (Graphviz)");
        var html = Options.Text("html", "also write one self-contained HTML page, to PATH.html: the method, the generated code and the graph; click a node to see its code");
        var batch = Options.OptionalInt("batch", 1, "with --cuda: also list the launches of the Loss's device program at this batch size, each kernel with its shapes (the source is the same for every batch: kernels take their shapes at launch)");
        var command = new Command("show", "print the generated gradient code of a model's [Differentiable] method and draw its graph") { model, method, cuda, batch, graph, html };
        command.SetAction(r => Run(Models[r.GetValue(model)!], r.GetValue(method), r.GetValue(cuda), r.GetValue(batch), r.GetValue(graph), r.GetValue(html)));
        return command;
    }

    private static int Run(Type model, string? methodName, bool cuda, int? batch, string? graphPath, string? htmlPath)
    {
        if (batch is not null && !cuda)
            throw new UsageException("--batch goes with --cuda: it lists the CUDA kernels' launches at that batch size.");
        if (htmlPath is not null && !Path.GetExtension(htmlPath).ToLowerInvariant().StartsWith(".htm", StringComparison.Ordinal))
            throw new UsageException($"--html must name a .html file, not '{htmlPath}'.");
        if (graphPath is not null && !GraphFormats.Contains(Path.GetExtension(graphPath).ToLowerInvariant()))
            throw new UsageException($"--graph must name a .svg, .png or .dot file, not '{graphPath}'.");
        var methods = Inspect.Methods(model);
        GradientInspection inspection;
        try
        {
            inspection = Inspect.Gradient(model, methodName ?? (methods.Contains("Loss") ? "Loss" : methods.FirstOrDefault() ?? ""));
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter")[0]);
        }
        if (cuda && inspection.Cuda is null)
            throw new UsageException($"{inspection.Model}.{inspection.Method} has no device program, so no CUDA; its C# says why (show without --cuda).");
        if (graphPath is not null && !inspection.HasGraph)
            throw new UsageException($"{inspection.Model}.{inspection.Method} has control flow (if/while/for): it is differentiated statement by statement and has no single graph to draw.");

        var launches = batch is null ? null : Launches(model, inspection, batch.Value);
        Print(cuda ? inspection.Cuda! + launches : inspection.CSharp);
        if (graphPath is not null)
        {
            WriteGraph(inspection, graphPath);
            Console.Error.WriteLine($"Wrote the graphs of {inspection.Model}.{inspection.Method} to {graphPath} ({inspection.Forward.Count} forward, {inspection.Backward.Count} backward nodes)."
                + (graphPath.EndsWith(".dot", StringComparison.OrdinalIgnoreCase) ? $" Render it with: dot -Tsvg {graphPath} -o {Path.ChangeExtension(graphPath, ".svg")}" : ""));
        }
        if (htmlPath is not null)
        {
            GraphHtml.Save(inspection, model, htmlPath);
            Console.Error.WriteLine($"Wrote {htmlPath}: {inspection.Model}.{inspection.Method}, its generated code and its graphs; open it in a browser and click a node.");
        }
        return 0;
    }

    /// <summary>
    /// The launches of the model's Loss on the device at <paramref name="batch"/> samples, as a comment after its CUDA: each
    /// step's kernel, output shape and inputs (what <c>plan</c> prints for the training step, without the optimizer's update).
    /// The generated kernels are not specialised for a batch size: each takes the shapes of its launch by value, in its
    /// <c>Geometry</c> (count, dims, strides), so the batch changes the launches, never the source.
    /// </summary>
    private static string Launches(Type model, GradientInspection inspection, int batch)
    {
        var name = ShortNames.FirstOrDefault(p => p.Value == model && TrainableModel.Names.Contains(p.Key)).Key;
        if (name is null || inspection.Method != "Loss")
            throw new UsageException($"--batch lists the launches of a training step: it takes the Loss of a model train takes ({string.Join(", ", TrainableModel.Names)}), not {inspection.Model}.{inspection.Method}.");
        var trainable = TrainableModel.Create(name, seed: 1);
        var shapes = new Dictionary<string, int[]> { ["x"] = new[] { batch, 784 }, ["y"] = new[] { batch } };
        foreach (var (input, value) in trainable.DeviceExtraInputs?.Invoke(batch) ?? new Dictionary<string, Tensor>()) shapes[input] = value.Shape.ToArray();
        var program = DeviceModel.Record(trainable.Name, trainable.Module, trainable.DeviceLoss!, shapes).Build();
        var text = new System.Text.StringBuilder()
            .Append($"\n// ===== {inspection.Model}.{inspection.Method} at batch {batch}: {program.LaunchCount} launches, each as output (its shape) = kernel(inputs);\n")
            .Append("// the kernels are those above, or the runtime's own (product, sum, gather, fill, ...).\n")
            .Append("// The source is the same for every batch: a kernel takes its shapes at launch, in its Geometry (count, dims, strides).\n");
        foreach (var line in program.ToString().TrimEnd('\n').Split('\n')) text.Append("// ").Append(line.TrimEnd()).Append('\n');
        return text.ToString();
    }

    /// <summary>The code with colours on a terminal; exactly the text when the output is redirected (to a file, a pipe or a test).</summary>
    private static void Print(string code)
    {
        if (Console.IsOutputRedirected)
        {
            Console.Out.Write(code.EndsWith('\n') ? code : code + "\n");
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        console.Profile.Width = int.MaxValue / 2;   // code is never re-wrapped: a long line stays one line, as the terminal shows it
        console.Markup(CodeHighlighter.Markup(code));
        console.WriteLine();
    }

    private static void WriteGraph(GradientInspection inspection, string path)
    {
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".dot": File.WriteAllText(path, GraphDot.Write(inspection)); break;
            case ".png": GraphPng.Save(inspection, path); break;
            default: GraphSvg.Save(inspection, path); break;
        }
    }
}
