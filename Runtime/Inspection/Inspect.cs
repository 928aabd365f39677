using System.Reflection;

namespace Differentiable.Inspection;

/// <summary>
/// The gradient the generator wrote for a [Differentiable] method, read back at run time: its C#, its CUDA and its graph.
/// The generator records them in an <c>internal static GradientInspection {Method}Inspection()</c> member next to
/// <c>{Method}WithGradients</c>; this finds that member by reflection.
/// </summary>
/// <example><code>var loss = Inspect.Gradient(typeof(FlatNet), nameof(FlatNet.Loss)); Console.WriteLine(loss.CSharp);</code></example>
public static class Inspect
{
    private const BindingFlags Members = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;

    /// <summary>The gradient of <paramref name="model"/>'s [Differentiable] method <paramref name="method"/>.</summary>
    /// <exception cref="ArgumentException">The class has no [Differentiable] method of that name; the message lists those it has.</exception>
    /// <exception cref="InvalidOperationException">The method is [Differentiable] but nothing was generated for it (the build reported why).</exception>
    public static GradientInspection Gradient(Type model, string method)
    {
        ArgumentNullException.ThrowIfNull(model);
        var methods = Methods(model);
        var name = methods.FirstOrDefault(m => m == method) ?? methods.FirstOrDefault(m => string.Equals(m, method, StringComparison.OrdinalIgnoreCase));
        if (name is null)
            throw new ArgumentException(methods.Count == 0
                ? $"{model.Name} has no [Differentiable] methods."
                : $"{model.Name} has no [Differentiable] method '{method}'; choose one of {string.Join(", ", methods)}.", nameof(method));
        var recorded = model.GetMethod(name + "Inspection", Members, Type.EmptyTypes);
        if (recorded is null || recorded.ReturnType != typeof(GradientInspection) || !recorded.IsStatic)
            throw new InvalidOperationException($"{model.Name}.{name} is [Differentiable] but its gradient was not generated; the build's DIFF diagnostics say why.");
        return (GradientInspection)recorded.Invoke(null, null)!;
    }

    /// <summary>The names of <paramref name="model"/>'s [Differentiable] methods, in declaration order.</summary>
    public static IReadOnlyList<string> Methods(Type model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.GetMethods(Members).Where(m => m.IsDefined(typeof(DifferentiableAttribute), inherit: false))
            .OrderBy(m => m.MetadataToken).Select(m => m.Name).Distinct().ToList();
    }

    /// <summary>The classes of <paramref name="assembly"/> with at least one [Differentiable] method, by full name.</summary>
    public static IReadOnlyList<Type> Models(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetTypes().Where(t => t.IsClass && Methods(t).Count > 0).OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();
    }
}
