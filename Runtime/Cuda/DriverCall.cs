using System.Runtime.CompilerServices;
using Differentiable.Cuda.Native;

namespace Differentiable.Cuda;

/// <summary>
/// Checks every driver result. The description of what was being done is an interpolated string that is only
/// formatted when the call failed, so checking a launch on the hot path allocates nothing.
/// </summary>
internal static class DriverCall
{
    public static void Check(CuResult result, string operation)
    {
        if (result != CuResult.Success) throw CudaException.FromDriver(result, operation);
    }

    public static void Check(CuResult result, [InterpolatedStringHandlerArgument(nameof(result))] ref FailureDescription operation)
    {
        if (result != CuResult.Success) throw CudaException.FromDriver(result, operation.ToStringAndClear());
    }
}

/// <summary>Formats its holes only when the result it is bound to is a failure.</summary>
[InterpolatedStringHandler]
internal ref struct FailureDescription
{
    private DefaultInterpolatedStringHandler _text;

    public FailureDescription(int literalLength, int formattedCount, CuResult result, out bool shouldAppend)
    {
        shouldAppend = result != CuResult.Success;
        _text = shouldAppend ? new DefaultInterpolatedStringHandler(literalLength, formattedCount, System.Globalization.CultureInfo.InvariantCulture) : default;
    }

    public void AppendLiteral(string value) => _text.AppendLiteral(value);
    public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);
    public void AppendFormatted<T>(T value, string? format) => _text.AppendFormatted(value, format);
    public string ToStringAndClear() => _text.ToStringAndClear();
}
