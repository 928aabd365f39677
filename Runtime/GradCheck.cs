namespace Differentiable;

/// <summary>
/// Verifies a vector-Jacobian product against central finite differences, like torch.autograd.gradcheck.
/// The vector-valued function is reduced to the scalar L(x) = Σ f(x)·u for a random upstream u, so one VJP call
/// checks every column of the Jacobian at once.
/// </summary>
public static class GradCheck
{
    public static GradCheckResult Check(Func<Tensor[], Tensor> function, Func<Tensor[], Tensor, Tensor[]> vectorJacobianProduct, Tensor[] inputs,
        double epsilon = 1e-6, double relativeTolerance = 1e-6, double absoluteTolerance = 1e-9, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(vectorJacobianProduct);
        ArgumentNullException.ThrowIfNull(inputs);
        for (var i = 0; i < inputs.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(inputs[i], $"inputs[{i}]");
            // Float32 finite differences are dominated by rounding (ε² ≈ float precision), so they cannot confirm a gradient.
            if (inputs[i].DType != DType.Float64)
                throw new ArgumentException($"GradCheck needs Float64 inputs, but inputs[{i}] of shape {inputs[i].ShapeString()} is {inputs[i].DType.Name()}; convert it with .To(DType.Float64).", nameof(inputs));
        }

        var output = function(inputs);
        var u = Tensor.Randn(output.CopyShape(), new Rng(seed), DType.Float64);
        var upstream = u.ToDoubleArray();
        var analytic = vectorJacobianProduct(inputs, u.Clone());
        if (analytic is null || analytic.Length != inputs.Length)
            throw new ArgumentException($"GradCheck: the vector-Jacobian product returned {analytic?.Length ?? 0} gradients for {inputs.Length} inputs.", nameof(vectorJacobianProduct));

        var passed = true;
        var worstRatio = double.NegativeInfinity;
        var worst = new GradCheckResult { Passed = true, InputIndex = -1 };
        for (var i = 0; i < inputs.Length; i++)
        {
            var gradient = Gradient(analytic[i], inputs[i], i);
            var work = (Tensor[])inputs.Clone();
            work[i] = inputs[i].Clone();
            var x = work[i].Span<double>();
            for (var j = 0; j < x.Length; j++)
            {
                var original = x[j];
                x[j] = original + epsilon;
                var plus = Scalarise(function(work), upstream);
                x = work[i].Span<double>();
                x[j] = original - epsilon;
                var minus = Scalarise(function(work), upstream);
                x = work[i].Span<double>();
                x[j] = original;

                var numeric = (plus - minus) / (2 * epsilon);
                var a = gradient[j];
                var error = Math.Abs(a - numeric);
                var allowed = absoluteTolerance + relativeTolerance * Math.Abs(numeric);
                var ok = error <= allowed;
                passed &= ok;
                // NaN never satisfies the tolerance; rank it worst so the report shows it.
                var ratio = double.IsNaN(error) ? double.PositiveInfinity : error / allowed;
                if (ratio > worstRatio)
                {
                    worstRatio = ratio;
                    worst = new GradCheckResult
                    {
                        InputIndex = i,
                        ElementIndex = j,
                        ElementPosition = Position(inputs[i].ShapeArray, j),
                        Analytic = a,
                        Numeric = numeric,
                        AbsoluteError = error,
                        RelativeError = error / Math.Max(Math.Abs(numeric), double.Epsilon),
                    };
                }
            }
        }
        return new GradCheckResult
        {
            Passed = passed,
            InputIndex = worst.InputIndex,
            ElementIndex = worst.ElementIndex,
            ElementPosition = worst.ElementPosition,
            Analytic = worst.Analytic,
            Numeric = worst.Numeric,
            AbsoluteError = worst.AbsoluteError,
            RelativeError = worst.RelativeError,
        };
    }

    /// <summary>Like <see cref="Check"/>, but throws <see cref="GradCheckException"/> when the check fails.</summary>
    public static GradCheckResult Assert(Func<Tensor[], Tensor> function, Func<Tensor[], Tensor, Tensor[]> vectorJacobianProduct, Tensor[] inputs,
        double epsilon = 1e-6, double relativeTolerance = 1e-6, double absoluteTolerance = 1e-9, ulong seed = 0)
    {
        var result = Check(function, vectorJacobianProduct, inputs, epsilon, relativeTolerance, absoluteTolerance, seed);
        return result.Passed ? result : throw new GradCheckException(result);
    }

    /// <summary>A missing gradient means "no dependence" (zeros), as in torch; a wrong shape is a bug in the VJP.</summary>
    private static double[] Gradient(Tensor? gradient, Tensor input, int i)
    {
        if (gradient is null) return new double[input.Length];
        if (!gradient.SameShape(input))
            throw new ShapeMismatchException($"GradCheck: the gradient for inputs[{i}] has shape {gradient.ShapeString()}, but the input has shape {input.ShapeString()}.");
        return gradient.ToDoubleArray();
    }

    private static double Scalarise(Tensor output, double[] upstream)
    {
        if (output.Length != upstream.Length)
            throw new ShapeMismatchException($"GradCheck: the function's output changed shape to {output.ShapeString()} under a perturbation.");
        var values = output.ToDoubleArray();
        var sum = 0.0;
        for (var k = 0; k < values.Length; k++) sum += values[k] * upstream[k];
        return sum;
    }

    private static int[] Position(int[] shape, int flat)
    {
        var position = new int[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            position[d] = flat % shape[d];
            flat /= shape[d];
        }
        return position;
    }
}
