namespace Differentiable;

public static partial class Ops
{
    /// <summary>The same elements in row-major order under a new shape; one dimension may be −1 (inferred).</summary>
    public static Tensor Reshape(Tensor x, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(shape);
        return x.CopyWithShape(ResolveShape(x, shape));
    }

    internal static int[] ResolveShape(Tensor x, int[] shape)
    {
        var resolved = (int[])shape.Clone();
        var inferred = -1;
        var known = 1;
        for (var d = 0; d < resolved.Length; d++)
        {
            if (resolved[d] == -1)
            {
                if (inferred >= 0) throw new ShapeMismatchException($"Reshape: only one dimension can be −1, got {Tensor.Format(shape)}.");
                inferred = d;
            }
            else if (resolved[d] < 0) throw new ShapeMismatchException($"Reshape: invalid dimension {resolved[d]} in {Tensor.Format(shape)}.");
            else known = checked(known * resolved[d]);
        }
        if (inferred >= 0)
        {
            if (known == 0 || x.Length % known != 0)
                throw new ShapeMismatchException($"Reshape: cannot reshape a tensor of shape {x.ShapeString()} ({x.Length} elements) to {Tensor.Format(shape)}.");
            resolved[inferred] = x.Length / known;
        }
        else if (known != x.Length)
            throw new ShapeMismatchException($"Reshape: cannot reshape a tensor of shape {x.ShapeString()} ({x.Length} elements) to {Tensor.Format(shape)} ({known} elements).");
        return resolved;
    }

    /// <summary>A copy that the generator treats as a constant (stop-gradient); eagerly it is the identity.</summary>
    public static Tensor Detach(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Clone();
    }

    public static Tensor OnesLike(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Tensor.Ones(x.CopyShape(), x.DType);
    }

    public static Tensor ZerosLike(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Tensor.Zeros(x.CopyShape(), x.DType);
    }
}
