namespace Differentiable;

/// <summary>Class indices for a batch (one per row), as consumed by <see cref="Ops.Gather"/> and the losses.</summary>
public sealed class Labels
{
    private readonly int[] _values;

    /// <summary>Copies <paramref name="values"/> so later changes to the caller's array cannot alter a batch.</summary>
    public Labels(int[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = (int[])values.Clone();
    }

    public static Labels FromArray(params int[] values) => new(values);

    public int Count => _values.Length;

    public int this[int i] => _values[i];

    public ReadOnlySpan<int> Values => _values;

    public override string ToString() => $"Labels([{string.Join(", ", _values)}])";
}
