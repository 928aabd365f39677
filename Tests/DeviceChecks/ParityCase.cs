using Differentiable.Scheduling;

namespace Differentiable.DeviceChecks;

/// <summary>
/// A computation checked on the device against the CPU: the generated device program, the inputs it takes, and
/// the generated C# that computes the same value and gradients on the CPU.
/// </summary>
public sealed record ParityCase(
    string Name,
    IModule Module,
    Action<ProgramBuilder> Record,
    IReadOnlyDictionary<string, Tensor> Inputs,
    IReadOnlyDictionary<string, Labels> Labels,
    Func<(Tensor Value, IGradients Gradients)> Cpu)
{
    public IReadOnlyDictionary<string, int[]> Shapes =>
        Inputs.ToDictionary(i => i.Key, i => i.Value.Shape.ToArray()).Concat(Labels.ToDictionary(l => l.Key, l => new[] { l.Value.Count }))
            .ToDictionary(e => e.Key, e => e.Value);
}

/// <summary>The module of a static function: no parameters (its tensor arguments are what it is differentiated by).</summary>
public sealed class NoParameters : IModule
{
    public static readonly NoParameters Instance = new();

    public IReadOnlyList<NamedParameter> Parameters() => Array.Empty<NamedParameter>();
}
