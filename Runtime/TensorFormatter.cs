using System.Globalization;
using System.Text;

namespace Differentiable;

/// <summary>
/// Prints tensors the way PyTorch does (<c>tensor([[ 0.1234, -1.0000], ...])</c>), so values can be compared with a
/// PyTorch session by eye: same number styles, aligned columns, and "..." summaries for large tensors.
/// </summary>
internal static class TensorFormatter
{
    private const int SummaryThreshold = 1000;
    private const int EdgeItems = 3;
    private const string Prefix = "tensor(";

    public static string Format(Tensor t)
    {
        var values = t.ToDoubleArray();
        var shape = t.ShapeArray;
        var suffix = t.DType == DType.Float64 ? ", dtype=float64" : "";
        if (t.Length == 0)
            return $"{Prefix}[]{(t.Rank == 1 ? "" : ", size=" + t.ShapeString())}{suffix})";

        var summarize = t.Length > SummaryThreshold;
        var shown = new List<double>();
        Visit(shape, 0, 0, summarize, values, shown);
        var format = ChooseFormat(shown);
        var width = 0;
        foreach (var v in shown) width = Math.Max(width, format(v).Length);

        var sb = new StringBuilder(Prefix);
        if (t.Rank == 0) sb.Append(format(values[0]));
        else Render(sb, shape, 0, 0, Prefix.Length, summarize, values, v => format(v).PadLeft(width));
        return sb.Append(suffix).Append(')').ToString();
    }

    /// <summary>The positions printed along a dimension: all, or the first and last few around a gap (-1).</summary>
    private static IEnumerable<int> Positions(int size, bool summarize)
    {
        if (!summarize || size <= 2 * EdgeItems)
        {
            for (var i = 0; i < size; i++) yield return i;
            yield break;
        }
        for (var i = 0; i < EdgeItems; i++) yield return i;
        yield return -1;
        for (var i = size - EdgeItems; i < size; i++) yield return i;
    }

    private static int Stride(int[] shape, int dim)
    {
        var stride = 1;
        for (var d = dim + 1; d < shape.Length; d++) stride *= shape[d];
        return stride;
    }

    private static void Visit(int[] shape, int dim, int offset, bool summarize, double[] values, List<double> shown)
    {
        if (dim == shape.Length)
        {
            shown.Add(values[offset]);
            return;
        }
        var stride = Stride(shape, dim);
        foreach (var i in Positions(shape[dim], summarize))
            if (i >= 0) Visit(shape, dim + 1, offset + i * stride, summarize, values, shown);
    }

    private static void Render(StringBuilder sb, int[] shape, int dim, int offset, int indent, bool summarize, double[] values, Func<double, string> format)
    {
        var stride = Stride(shape, dim);
        sb.Append('[');
        var first = true;
        // Like PyTorch: vectors are comma-separated on one line; higher dimensions put each slice on its own line,
        // with one blank line per extra level of nesting, indented under the opening bracket.
        var separator = dim == shape.Length - 1 ? ", " : "," + new string('\n', shape.Length - dim - 1) + new string(' ', indent + 1);
        foreach (var i in Positions(shape[dim], summarize))
        {
            if (!first) sb.Append(separator);
            first = false;
            if (i < 0) sb.Append("...");
            else if (dim == shape.Length - 1) sb.Append(format(values[offset + i]));
            else Render(sb, shape, dim + 1, offset + i * stride, indent + 1, summarize, values, format);
        }
        sb.Append(']');
    }

    /// <summary>
    /// PyTorch's choice of style: "1." for all-integer tensors, fixed 4 decimals normally, and scientific
    /// ("1.0000e-05") when magnitudes span more than 1000× or leave [1e-4, 1e8).
    /// </summary>
    private static Func<double, string> ChooseFormat(List<double> shown)
    {
        double min = double.PositiveInfinity, max = 0;
        var integers = true;
        foreach (var v in shown)
        {
            if (!double.IsFinite(v)) continue;
            if (v != Math.Round(v)) integers = false;
            var a = Math.Abs(v);
            if (a == 0) continue;
            min = Math.Min(min, a);
            max = Math.Max(max, a);
        }
        if (double.IsPositiveInfinity(min)) min = max = 0;
        var scientific = integers ? max > 1e8 : max > 1e8 || (min > 0 && (min < 1e-4 || max / min > 1000));
        if (integers && !scientific) return v => Special(v) ?? v.ToString("0", CultureInfo.InvariantCulture) + ".";
        if (scientific) return v => Special(v) ?? v.ToString("0.0000e+00", CultureInfo.InvariantCulture);
        return v => Special(v) ?? v.ToString("0.0000", CultureInfo.InvariantCulture);
    }

    private static string? Special(double v) =>
        double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf" : null;
}
