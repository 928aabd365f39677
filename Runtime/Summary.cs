using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Differentiable;

/// <summary>
/// A model summary like torchinfo's: each layer's output shape and parameter count, the parameter totals and the memory
/// a batch takes. Shapes are only known at run time, so the generator writes, per [Differentiable] instance method
/// <c>M</c> without control flow, a forward-only <c>MSummary(summary, arguments)</c> that runs the method once, passing
/// each argument through <see cref="Input"/> and each operation's and each sub-module call's value through <see cref="Add"/>,
/// which records it and hands it back:
/// <code>
/// var summary = new Summary(model);
/// model.ForwardSummary(summary, x);   // generated from Forward
/// summary.Print();
/// </code>
/// </summary>
public sealed class Summary
{
    private readonly List<SummaryLayer> _layers = new();
    private readonly List<SummaryLayer> _inputs = new();
    private readonly IReadOnlyList<NamedParameter> _parameters;

    /// <param name="module">The model whose parameters the layers name (<c>Fc.W</c>); without it, layers count no parameters.</param>
    public Summary(IModule? module = null)
    {
        Module = module;
        _parameters = module?.Parameters() ?? Array.Empty<NamedParameter>();
    }

    public IModule? Module { get; }

    /// <summary>The method's tensor arguments, in order, with their shapes.</summary>
    public IReadOnlyList<SummaryLayer> Inputs => _inputs;

    /// <summary>Each layer in the order it ran: an operation of the method's body, or a call of a sub-module's method.</summary>
    public IReadOnlyList<SummaryLayer> Layers => _layers;

    /// <summary>Records argument <paramref name="name"/> and returns it.</summary>
    public Tensor Input(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _inputs.Add(new SummaryLayer(name, "Input", value.CopyShape(), 0, Array.Empty<string>()));
        return value;
    }

    /// <summary>
    /// Records <paramref name="output"/> as the value of layer <paramref name="name"/> (an operation such as <c>Conv2d</c>, or
    /// a call such as <c>Fc.Forward</c>) and returns it, so layers chain. <paramref name="parameters"/> are the paths of the
    /// parameters it reads (<c>Fc.W</c>; <c>Fc</c> for all of a sub-module's; <c>Layers.*.W</c> for a parameter of every
    /// element of a list of sub-modules), counted once per layer.
    /// </summary>
    public Tensor Add(string name, string layer, Tensor output, params string[] parameters)
    {
        ArgumentNullException.ThrowIfNull(output);
        var used = parameters.SelectMany(Resolve).Distinct().ToList();
        _layers.Add(new SummaryLayer(name, layer, output.CopyShape(), used.Sum(p => (long)p.Value.Length), used.Select(p => p.Name).ToList()));
        return output;
    }

    /// <summary>The model's parameters a path names: itself, or one per element of a list for <c>Layers.*.W</c>.</summary>
    private IEnumerable<NamedParameter> Resolve(string path)
    {
        // A parameter (Fc.W), or a sub-module's, all of them (Fc: Fc.W, Fc.B).
        if (!path.Contains('*', StringComparison.Ordinal))
            return _parameters.Where(p => p.Name == path || p.Name.StartsWith(path + ".", StringComparison.Ordinal));
        var pattern = new Regex("^" + Regex.Escape(path).Replace(@"\*", @"\d+") + "$");
        return _parameters.Where(p => pattern.IsMatch(p.Name));
    }

    /// <summary>Every parameter of the model (or, without one, every parameter a layer read, once).</summary>
    public long TotalParameters => Module is not null
        ? _parameters.Sum(p => (long)p.Value.Length)
        : 0;

    /// <summary>The parameters training updates: every [Parameter] is trained, so all of them.</summary>
    public long TrainableParameters => TotalParameters;

    /// <summary>The parameters no layer read (a part of the model this method does not use).</summary>
    public long UnusedParameters
    {
        get
        {
            var used = new HashSet<string>(_layers.SelectMany(l => l.ParameterNames));
            return _parameters.Where(p => !used.Contains(p.Name)).Sum(p => (long)p.Value.Length);
        }
    }

    /// <summary>Bytes of the arguments as float32.</summary>
    public long InputBytes => _inputs.Sum(i => i.Elements) * sizeof(float);

    /// <summary>Bytes of every layer's output as float32: what a forward pass keeps for the backward.</summary>
    public long ActivationBytes => _layers.Sum(l => l.Elements) * sizeof(float);

    /// <summary>The gradients of those outputs, the same size again.</summary>
    public long GradientBytes => ActivationBytes;

    /// <summary>Bytes of the parameters as float32.</summary>
    public long ParameterBytes => TotalParameters * sizeof(float);

    /// <summary>Inputs, activations and their gradients, and parameters.</summary>
    public long TotalBytes => InputBytes + ActivationBytes + GradientBytes + ParameterBytes;

    /// <summary>The layer table (name and kind, output shape, parameters), then the totals and the memory, as plain text.</summary>
    public string Format()
    {
        var rows = _inputs.Select(i => (Layer: $"{i.Name} (Input)", Shape: Tensor.Format(i.Shape.ToArray()), Count: "--"))
            .Concat(_layers.Select(l => (Layer: l.Title, Shape: Tensor.Format(l.Shape.ToArray()), Count: N(l.Parameters))))
            .ToList();
        var layerWidth = Math.Max("Layer (type)".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Layer.Length));
        var shapeWidth = Math.Max("Output shape".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Shape.Length));
        var countWidth = Math.Max("Param #".Length, rows.Count == 0 ? 0 : rows.Max(r => r.Count.Length));
        var rule = new string('=', layerWidth + shapeWidth + countWidth + 4);
        var text = new StringBuilder();
        text.AppendLine(rule);
        text.AppendLine($"{"Layer (type)".PadRight(layerWidth)}  {"Output shape".PadRight(shapeWidth)}  {"Param #".PadLeft(countWidth)}");
        text.AppendLine(rule);
        foreach (var (layer, shape, count) in rows)
            text.AppendLine($"{layer.PadRight(layerWidth)}  {shape.PadRight(shapeWidth)}  {count.PadLeft(countWidth)}");
        text.AppendLine(rule);
        text.AppendLine($"Total params: {N(TotalParameters)}");
        text.AppendLine($"Trainable params: {N(TrainableParameters)}");
        text.AppendLine($"Non-trainable params: 0");
        if (UnusedParameters > 0) text.AppendLine($"Params no layer read: {N(UnusedParameters)}");
        text.AppendLine(new string('-', rule.Length));
        text.AppendLine($"Input size (MB): {Mb(InputBytes)}");
        text.AppendLine($"Forward/backward pass size (MB): {Mb(ActivationBytes + GradientBytes)}  (activations {Mb(ActivationBytes)}, their gradients the same)");
        text.AppendLine($"Params size (MB): {Mb(ParameterBytes)}");
        text.AppendLine($"Estimated total size (MB): {Mb(TotalBytes)}");
        text.AppendLine(rule);
        return text.ToString();
    }

    public void Print(TextWriter? to = null) => (to ?? Console.Out).Write(Format());

    public override string ToString() => Format();

    private static string N(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    private static string Mb(long bytes) => (bytes / 1e6).ToString("F2", CultureInfo.InvariantCulture);
}

/// <summary>One row of a <see cref="Summary"/>: a layer's name, kind, output shape and the parameters it reads.</summary>
public sealed record SummaryLayer(string Name, string Layer, IReadOnlyList<int> Shape, long Parameters, IReadOnlyList<string> ParameterNames)
{
    /// <summary>Elements of the output.</summary>
    public long Elements => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The name with the kind, torchinfo's "Layer (type)": <c>h1 (Conv2d)</c>, <c>Fc (Linear.Forward)</c>.</summary>
    public string Title => Name == Layer ? Name : $"{Name} ({Layer})";
}
