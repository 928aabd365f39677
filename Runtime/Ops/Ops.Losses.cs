using System.Runtime.CompilerServices;
using Differentiable.Cpu;

namespace Differentiable;

public static partial class Ops
{
    /// <summary>h[i, y[i]] for every row i: h is (n, c), the result (n).</summary>
    public static Tensor Gather(Tensor h, Labels y, [CallerArgumentExpression(nameof(h))] string? hName = null, [CallerArgumentExpression(nameof(y))] string? yName = null) =>
        GatherCore("Gather", h, y, Dispatch.Name(hName, "h"), Dispatch.Name(yName, "y"));

    /// <summary>Negative log-likelihood −mean(logProbs[i, y[i]]), rank 0.</summary>
    public static Tensor NllLoss(Tensor logProbs, Labels y, [CallerArgumentExpression(nameof(logProbs))] string? logProbsName = null, [CallerArgumentExpression(nameof(y))] string? yName = null) =>
        Neg(Mean(GatherCore("NllLoss", logProbs, y, Dispatch.Name(logProbsName, "logProbs"), Dispatch.Name(yName, "y"))));

    /// <summary>NllLoss(LogSoftmax(logits, 1), y): softmax cross-entropy on raw scores, stable for large logits.</summary>
    public static Tensor CrossEntropy(Tensor logits, Labels y, [CallerArgumentExpression(nameof(logits))] string? logitsName = null, [CallerArgumentExpression(nameof(y))] string? yName = null)
    {
        var ln = Dispatch.Name(logitsName, "logits");
        var yn = Dispatch.Name(yName, "y");
        CheckLabels("CrossEntropy", logits, y, ln, yn);
        return Neg(Mean(GatherCore("CrossEntropy", LogSoftmax(logits, 1), y, ln, yn)));
    }

    /// <summary>mean((a − b)²), broadcasting like <see cref="Sub(Tensor, Tensor, string?, string?)"/>.</summary>
    public static Tensor MseLoss(Tensor a, Tensor b, [CallerArgumentExpression(nameof(a))] string? aName = null, [CallerArgumentExpression(nameof(b))] string? bName = null)
    {
        // Pow(d, 2) rather than d ⊙ d: the generator expands MseLoss to Mean(Pow(Sub(a, b), 2)), and eager and
        // generated values should agree exactly.
        return Mean(Pow(Dispatch.Binary<SubOp>("MseLoss", a, b, aName, bName), 2));
    }

    private static Tensor GatherCore(string op, Tensor h, Labels y, string hName, string yName)
    {
        CheckLabels(op, h, y, hName, yName);
        var c = h.ShapeArray[1];
        var result = Tensor.Uninitialized(new[] { y.Count }, h.DType);
        if (h.DType == DType.Float32) Indexing.Gather<float>(h.ReadOnlySpan<float>(), y.Values, result.Span<float>(), c);
        else Indexing.Gather<double>(h.ReadOnlySpan<double>(), y.Values, result.Span<double>(), c);
        return result;
    }

    /// <summary>h must be (n, c) with one label in [0, c) per row; the errors name both arguments.</summary>
    internal static void CheckLabels(string op, Tensor h, Labels y, string hName, string yName)
    {
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(y);
        if (h.Rank != 2)
            throw new ShapeMismatchException($"{op}({hName}, {yName}): {hName} must be 2-D (rows, classes), but has shape {h.ShapeString()}.");
        var (n, c) = (h.ShapeArray[0], h.ShapeArray[1]);
        if (y.Count != n)
            throw new ShapeMismatchException($"{op}({hName}, {yName}): {hName} of shape {h.ShapeString()} has {n} rows but {yName} has {y.Count} labels.");
        var values = y.Values;
        for (var i = 0; i < values.Length; i++)
            if ((uint)values[i] >= (uint)c)
                throw new ArgumentOutOfRangeException(yName, values[i],
                    $"{op}({hName}, {yName}): label {yName}[{i}] = {values[i]} is out of range for {hName} of shape {h.ShapeString()} (classes 0 to {c - 1}).");
    }
}
