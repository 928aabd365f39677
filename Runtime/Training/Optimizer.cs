namespace Differentiable.Training;

/// <summary>
/// Updates a model's parameters in place from the gradients of a generated <c>...WithGradients</c> call, with
/// PyTorch's semantics. Parameters are matched to gradients by path (<c>W1</c>, <c>L1.W</c>), so an optimizer
/// works with any generated gradients type; per-parameter state (momentum, moments) is kept by path too.
/// </summary>
public abstract class Optimizer
{
    private readonly Dictionary<string, NamedParameter> _parameters;

    protected Optimizer(IModule model, double learningRate)
    {
        if (learningRate <= 0 || double.IsNaN(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "The learning rate must be positive.");
        LearningRate = learningRate;
        _parameters = model.Parameters().ToDictionary(p => p.Name);
    }

    /// <summary>The step size; may be changed between steps (learning-rate schedules).</summary>
    public double LearningRate { get; set; }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public void Step(IGradients gradients)
    {
        foreach (var (name, gradient) in gradients.All)
        {
            if (!_parameters.TryGetValue(name, out var parameter))
                continue; // a [Wrt] argument's gradient: not a parameter of the model
            var value = parameter.Value;
            if (!value.Shape.SequenceEqual(gradient.Shape) || value.DType != gradient.DType)
                throw new ArgumentException($"The gradient of {name} has shape {gradient.ShapeString()} ({gradient.DType}) but the parameter has {value.ShapeString()} ({value.DType}).");
            if (value.DType == DType.Float32) Update<float>(name, value, gradient);
            else Update<double>(name, value, gradient);
        }
    }

    /// <summary>Updates <paramref name="parameter"/> in place from <paramref name="gradient"/> (same shape and type).</summary>
    protected abstract void Update<T>(string name, Tensor parameter, Tensor gradient) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>;
}
