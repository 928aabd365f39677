using System.Globalization;
using System.Text;

namespace Differentiable;

/// <summary>
/// A model summary like the seeds print (<c>Conv2d output shape: (1, 96, 54, 54)</c>): shapes are only known at run
/// time, so a model's summary method runs its layers eagerly one by one, passing each output through
/// <see cref="Add"/>, which records the layer's name and output shape and hands the tensor back.
/// </summary>
public sealed class Summary
{
    private readonly List<(string Layer, int[] Shape)> _layers = new();

    public Summary(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        InputShape = input.CopyShape();
    }

    public IReadOnlyList<int> InputShape { get; }

    /// <summary>Each layer in order with its output shape.</summary>
    public IReadOnlyList<(string Layer, IReadOnlyList<int> Shape)> Layers => _layers.Select(l => (l.Layer, (IReadOnlyList<int>)l.Shape)).ToList();

    /// <summary>Records <paramref name="output"/> as the output of <paramref name="layer"/> and returns it, so layers chain.</summary>
    public Tensor Add(string layer, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _layers.Add((layer, output.CopyShape()));
        return output;
    }

    /// <summary>The layer table, then the parameters of <paramref name="module"/> (if given) with their counts.</summary>
    public string Format(IModule? module = null)
    {
        var text = new StringBuilder();
        text.AppendLine($"Input shape: {Tensor.Format(InputShape.ToArray())}");
        var width = _layers.Count == 0 ? 0 : _layers.Max(l => l.Layer.Length);
        foreach (var (layer, shape) in _layers)
            text.AppendLine($"{layer.PadRight(width)} output shape: {Tensor.Format(shape)}");
        if (module is not null)
        {
            var parameters = module.Parameters();
            text.AppendLine();
            var nameWidth = parameters.Count == 0 ? 0 : parameters.Max(p => p.Name.Length);
            foreach (var parameter in parameters)
                text.AppendLine($"{parameter.Name.PadRight(nameWidth)}  {parameter.Value.ShapeString(),-20} {parameter.Value.Length.ToString("N0", CultureInfo.InvariantCulture),12}");
            text.AppendLine($"Total parameters: {module.ParameterCount().ToString("N0", CultureInfo.InvariantCulture)}");
        }
        return text.ToString();
    }

    public void Print(IModule? module = null, TextWriter? to = null) => (to ?? Console.Out).Write(Format(module));

    public override string ToString() => Format();
}
