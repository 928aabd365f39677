namespace Differentiable;

public static class ModuleExtensions
{
    /// <summary>Replaces every parameter's tensor with a copy in <paramref name="dtype"/> (e.g. Float64 for gradient checks).</summary>
    public static void ConvertTo(this IModule module, DType dtype)
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var parameter in module.Parameters()) parameter.Value = parameter.Value.To(dtype);
    }

    /// <summary>The total number of trainable elements.</summary>
    public static int ParameterCount(this IModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var count = 0;
        foreach (var parameter in module.Parameters()) count = checked(count + parameter.Value.Length);
        return count;
    }
}
