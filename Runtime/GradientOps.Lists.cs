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

    /// <summary>
    /// The sum of two calls' per-element gradients of a list's parameters (generated code for a method that calls,
    /// twice, a method looping over a list of sub-modules): element by element.
    /// </summary>
    public static IReadOnlyList<Tensor> AddEach(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b)
    {
        if (a.Count != b.Count)
            throw new ArgumentException($"{a.Count} and {b.Count} gradients for one list of sub-modules: the list changed length during the step.");
        var sum = new Tensor[a.Count];
        for (var i = 0; i < sum.Length; i++) sum[i] = a[i] + b[i];
        return sum;
    }

    /// <summary>
    /// Adds a call's per-element gradients into a method's per-element accumulators (generated code for a body with
    /// control flow that calls a method looping over a list of sub-modules): each slot starts at the first gradient.
    /// </summary>
    public static void AccumulateEach(Tensor?[] accumulators, IReadOnlyList<Tensor> gradients)
    {
        if (gradients.Count != accumulators.Length)
            throw new ArgumentException($"{gradients.Count} gradients for a list of {accumulators.Length} sub-modules: the list changed length during the step.");
        for (var i = 0; i < accumulators.Length; i++) accumulators[i] = accumulators[i] is { } sum ? sum + gradients[i] : gradients[i];
    }
}
