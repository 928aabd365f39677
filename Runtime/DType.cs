namespace Differentiable;

/// <summary>The element type of a <see cref="Tensor"/>. Every op keeps its operands' dtype; mixing dtypes is an error.</summary>
public enum DType
{
    Float32,
    Float64,
}

internal static class DTypeNames
{
    public static string Name(this DType dtype) => dtype == DType.Float32 ? "float32" : "float64";
}
