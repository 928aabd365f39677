namespace Differentiable;

/// <summary>NumPy broadcasting rules: shapes align on the right; a dimension of 1 (or a missing one) stretches.</summary>
internal static class Broadcasting
{
    /// <summary>The broadcast shape of <paramref name="a"/> and <paramref name="b"/>, or a ShapeMismatchException naming both.</summary>
    public static int[] Shape(int[] a, int[] b, string op, string aName, string bName)
    {
        if (a.AsSpan().SequenceEqual(b)) return (int[])a.Clone();
        var rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            var da = DimFromRight(a, rank - d);
            var db = DimFromRight(b, rank - d);
            if (da == db || db == 1) result[d] = da;
            else if (da == 1) result[d] = db;
            else
                throw new ShapeMismatchException(
                    $"{op}({aName}, {bName}): shapes {Tensor.Format(a)} and {Tensor.Format(b)} do not broadcast (dimension {d}: {da} vs {db}).");
        }
        return result;
    }

    /// <summary>
    /// Element strides of <paramref name="shape"/> read as <paramref name="target"/>: 0 along the dimensions that
    /// are broadcast (missing leading ones and those of size 1), so a kernel re-reads the same element there.
    /// </summary>
    public static int[] Strides(int[] shape, int[] target)
    {
        var strides = new int[target.Length];
        var stride = 1;
        for (var i = 1; i <= target.Length; i++)
        {
            var size = DimFromRight(shape, i);
            strides[target.Length - i] = size == 1 && target[target.Length - i] != 1 ? 0 : stride;
            stride *= size;
        }
        return strides;
    }

    /// <summary>True when <paramref name="shape"/> broadcasts to exactly <paramref name="target"/>.</summary>
    public static bool BroadcastsTo(int[] shape, int[] target)
    {
        if (shape.Length > target.Length) return false;
        for (var i = 1; i <= shape.Length; i++)
        {
            var s = shape[shape.Length - i];
            if (s != 1 && s != target[target.Length - i]) return false;
        }
        return true;
    }

    private static int DimFromRight(int[] shape, int fromRight) => fromRight <= shape.Length ? shape[shape.Length - fromRight] : 1;
}
