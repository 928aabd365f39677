using System.Reflection;

namespace Differentiable.Tests.Support;

/// <summary>
/// Gradient-checks any generated <c>{M}WithGradients</c> in float64 against central differences of the eager method:
/// the model's parameters (converted to float64) and every tensor argument the method differentiates, with the other
/// arguments (labels, numbers, tensors not differentiated) held fixed.
/// </summary>
public static class GeneratedGradCheck
{
    /// <summary>Checks <paramref name="method"/> of <paramref name="model"/> (an instance, or a Type for a static method) called with <paramref name="arguments"/>.</summary>
    public static void Check(object model, string method, params object[] arguments)
    {
        var type = model as Type ?? model.GetType();
        var instance = model is Type ? null : model;
        var module = instance as IModule;
        module?.ConvertTo(DType.Float64);
        var parameters = module?.Parameters() ?? Array.Empty<NamedParameter>();
        var forward = type.GetMethods().Single(m => m.Name == method && m.GetCustomAttributes().Any(a => a.GetType().Name == "DifferentiableAttribute"));
        var withGradients = type.GetMethod(method + "WithGradients")!;
        var wrt = forward.GetParameters().Select((p, i) => (p, i))
            .Where(e => e.p.ParameterType == typeof(Tensor) && (forward.IsStatic || e.p.GetCustomAttributes().Any(a => a.GetType().Name == "WrtAttribute")))
            .Select(e => e.i).ToList();

        var args = (object[])arguments.Clone();
        Tensor[] Inputs() => parameters.Select(p => p.Value).Concat(wrt.Select(i => (Tensor)args[i])).ToArray();
        void Set(Tensor[] values)
        {
            for (var i = 0; i < parameters.Count; i++) parameters[i].Value = values[i];
            for (var k = 0; k < wrt.Count; k++) args[wrt[k]] = values[parameters.Count + k];
        }
        var result = GradCheck.Check(
            values => { Set(values); return (Tensor)forward.Invoke(instance, args)!; },
            (values, upstream) =>
            {
                Set(values);
                var value = withGradients.Invoke(instance, args.Append(upstream).ToArray())!;
                var gradients = ((IGradients)value.GetType().GetField("Item2")!.GetValue(value)!).All.ToDictionary(g => g.Name, g => g.Gradient);
                // By name: a parameter the method does not read has no gradient (zeros, which the differences confirm).
                var names = parameters.Select(p => p.Name).Concat(wrt.Select(i => forward.GetParameters()[i].Name!)).ToList();
                return names.Select((name, k) => gradients.TryGetValue(name, out var g) ? g : Ops.ZerosLike(values[k])).ToArray();
            },
            Inputs());
        Assert.True(result.Passed, result.ToString());
    }

    public static Tensor Random(params int[] shape) => Tensor.Randn(shape, new Rng((ulong)shape.Sum() + 3), DType.Float64);
}
