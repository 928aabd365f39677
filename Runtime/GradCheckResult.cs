using System.Globalization;

namespace Differentiable;

/// <summary>The outcome of <see cref="GradCheck.Check"/>: whether every element passed, and the worst element.</summary>
public sealed class GradCheckResult
{
    public bool Passed { get; init; }

    /// <summary>The input holding the worst element (−1 when the inputs have no elements).</summary>
    public int InputIndex { get; init; }

    /// <summary>The worst element's row-major index within its input.</summary>
    public int ElementIndex { get; init; }

    /// <summary>The worst element's index per dimension.</summary>
    public int[] ElementPosition { get; init; } = Array.Empty<int>();

    public double Analytic { get; init; }

    public double Numeric { get; init; }

    public double AbsoluteError { get; init; }

    /// <summary>|analytic − numeric| / max(|numeric|, tiny).</summary>
    public double RelativeError { get; init; }

    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var verdict = Passed ? "gradcheck passed" : "gradcheck FAILED";
        if (InputIndex < 0) return verdict + ": no input elements to check";
        return string.Create(c,
            $"{verdict}: worst input {InputIndex} element [{string.Join(", ", ElementPosition)}]: analytic {Analytic.ToString("G9", c)} numeric {Numeric.ToString("G9", c)} (relative error {RelativeError.ToString("0.0e+00", c)})");
    }
}

/// <summary>Thrown by <see cref="GradCheck.Assert"/> when a gradient disagrees with finite differences.</summary>
public sealed class GradCheckException : Exception
{
    public GradCheckException(GradCheckResult result) : base(result.ToString()) => Result = result;

    public GradCheckResult Result { get; }
}
