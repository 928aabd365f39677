namespace Differentiable.Data;

/// <summary>
/// Samples stored as rows of tensors — PyTorch's <c>TensorDataset</c>: sample i is row i of every tensor (their first
/// dimensions must agree), and, when given, label i. Iterate it in mini-batches with <see cref="DataLoader"/>.
/// </summary>
public sealed class TensorDataset
{
    /// <summary>Samples whose values are rows of <paramref name="tensors"/> (inputs, regression targets, ...).</summary>
    public TensorDataset(params Tensor[] tensors) : this(tensors, null) { }

    /// <summary>A classification set: rows of <paramref name="inputs"/> with one class label each.</summary>
    public TensorDataset(Tensor inputs, Labels labels) : this(new[] { inputs }, labels ?? throw new ArgumentNullException(nameof(labels))) { }

    private TensorDataset(Tensor[] tensors, Labels? labels)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("A data set needs at least one tensor.", nameof(tensors));
        foreach (var tensor in tensors)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            if (tensor.Rank == 0) throw new ArgumentException("Each tensor must have a first dimension that counts the samples; this one is a scalar.", nameof(tensors));
        }
        Count = tensors[0].Shape[0];
        if (tensors.FirstOrDefault(t => t.Shape[0] != Count) is { } other)
            throw new ShapeMismatchException($"The tensors of a data set must have the same number of rows: {tensors[0].ShapeString()} and {other.ShapeString()}.");
        if (labels is not null && labels.Count != Count)
            throw new ShapeMismatchException($"The data set has {Count} samples but {labels.Count} labels.");
        Tensors = tensors;
        Labels = labels;
    }

    public IReadOnlyList<Tensor> Tensors { get; }

    public Labels? Labels { get; }

    /// <summary>The number of samples.</summary>
    public int Count { get; }

    /// <summary>The samples at <paramref name="indices"/>, in that order, as new contiguous tensors (and labels).</summary>
    public Batch Take(ReadOnlySpan<int> indices)
    {
        var tensors = new Tensor[Tensors.Count];
        for (var t = 0; t < tensors.Length; t++) tensors[t] = Rows(Tensors[t], indices);
        Labels? labels = null;
        if (Labels is { } all)
        {
            var picked = new int[indices.Length];
            for (var k = 0; k < picked.Length; k++) picked[k] = all[indices[k]];
            labels = new Labels(picked);
        }
        return new Batch(tensors, labels);
    }

    private static Tensor Rows(Tensor source, ReadOnlySpan<int> indices)
    {
        var shape = source.Shape.ToArray();
        var width = shape.Skip(1).Aggregate(1, (a, b) => a * b);
        shape[0] = indices.Length;
        var result = Tensor.Zeros(shape, source.DType);
        if (source.DType == DType.Float32) Copy(source.ReadOnlySpan<float>(), result.Span<float>(), indices, width);
        else Copy(source.ReadOnlySpan<double>(), result.Span<double>(), indices, width);
        return result;
    }

    private static void Copy<T>(ReadOnlySpan<T> from, Span<T> to, ReadOnlySpan<int> indices, int width)
    {
        for (var k = 0; k < indices.Length; k++) from.Slice(indices[k] * width, width).CopyTo(to.Slice(k * width, width));
    }
}

/// <summary>
/// One mini-batch: a tensor per tensor of the data set (<c>Tensors[1]</c> for regression targets), and the labels if
/// it has them; <c>var (x, y) = batch</c> gives the inputs and labels of a classification set.
/// </summary>
public sealed class Batch(IReadOnlyList<Tensor> tensors, Labels? labels)
{
    public IReadOnlyList<Tensor> Tensors { get; } = tensors;

    public Labels? Labels { get; } = labels;

    /// <summary>The first tensor (the inputs).</summary>
    public Tensor X => Tensors[0];

    /// <summary>(inputs, labels) of a classification set.</summary>
    public void Deconstruct(out Tensor x, out Labels labels)
    {
        x = X;
        labels = Labels ?? throw new InvalidOperationException("This data set has no labels; read the batch's Tensors.");
    }
}
