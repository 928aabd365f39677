using System.Collections;
using System.Reflection;

namespace Differentiable;

/// <summary>A layer that behaves differently in training and in evaluation (<see cref="Nn.Dropout"/>), as PyTorch's <c>module.training</c>.</summary>
public interface ITrainingMode
{
    /// <summary>True while training (the default), false in evaluation.</summary>
    bool Training { get; set; }
}

/// <summary>
/// <c>model.Train()</c> and <c>model.Eval()</c>, PyTorch's <c>module.train()</c> / <c>module.eval()</c>: set the mode of
/// every <see cref="ITrainingMode"/> layer the model holds — in its fields, in sub-modules' fields, in arrays and lists
/// of them, however deep — and of the model itself if it is one. Returns the model, as PyTorch does. For models (the
/// generated <see cref="IModule"/>); a layer on its own has its own <c>Train()</c> / <c>Eval()</c>.
/// </summary>
public static class TrainingModeExtensions
{
    /// <summary>Training mode: dropout drops.</summary>
    public static T Train<T>(this T model, bool training = true) where T : class, IModule
    {
        ArgumentNullException.ThrowIfNull(model);
        Set(model, training, new HashSet<object>(ReferenceEqualityComparer.Instance));
        return model;
    }

    /// <summary>Evaluation mode: dropout is the identity.</summary>
    public static T Eval<T>(this T model) where T : class, IModule => model.Train(false);

    /// <summary>Whether <paramref name="model"/> or any layer it holds is in training mode (false when it holds none).</summary>
    public static bool IsTraining(this IModule model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var any = false;
        Walk(model, layer => any |= layer.Training, new HashSet<object>(ReferenceEqualityComparer.Instance));
        return any;
    }

    private static void Set(object model, bool training, HashSet<object> seen) => Walk(model, layer => layer.Training = training, seen);

    private static void Walk(object value, Action<ITrainingMode> visit, HashSet<object> seen)
    {
        if (value is Tensor or Labels or Rng or string || value.GetType().IsPrimitive || !seen.Add(value)) return;
        if (value is ITrainingMode layer) visit(layer);
        if (value is IEnumerable items)
        {
            foreach (var item in items)
                if (item is not null && !item.GetType().IsValueType) Walk(item, visit, seen);
            return;
        }
        // Fields of the model's own types only: library types (collections' internals, delegates) hold no layers.
        var type = value.GetType();
        if (type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true || value is Delegate) return;
        for (; type is not null && type != typeof(object); type = type.BaseType)
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (!field.FieldType.IsValueType && field.GetValue(value) is { } held) Walk(held, visit, seen);
    }
}
