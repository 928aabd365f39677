namespace Differentiable;

public static partial class GradientOps
{
    /// <summary>
    /// The gradients of one parameter of every element of a list of sub-modules (generated code for <c>foreach (var layer
    /// in Layers)</c>): each element's accumulated gradient, or zeros shaped like that element's parameter when no
    /// gradient reached it (the loop stopped before it, or a branch skipped it).
    /// </summary>
    public static Tensor[] GradientsOrZeros(Tensor?[] gradients, Func<int, Tensor> parameter)
    {
        var result = new Tensor[gradients.Length];
        for (var i = 0; i < gradients.Length; i++) result[i] = gradients[i] ?? Ops.ZerosLike(parameter(i));
        return result;
    }
}
