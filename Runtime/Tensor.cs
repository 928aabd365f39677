using System.Collections.ObjectModel;
using System.Numerics;

namespace Differentiable;

/// <summary>
/// A dense, contiguous, row-major n-dimensional array of <see cref="float"/> or <see cref="double"/>.
/// Tensors are eager values: every op returns a new tensor, so a tensor is never changed behind the caller's back
/// (only the indexer and <see cref="Span{T}"/> write in place).
/// </summary>
public sealed partial class Tensor
{
    private readonly int[] _shape;
    private Array _storage;
    private bool _released;
    private ReadOnlyCollection<int>? _shapeView;

    internal Tensor(int[] shape, float[] data) : this(shape, (Array)data) { }

    internal Tensor(int[] shape, double[] data) : this(shape, (Array)data) { }

    private Tensor(int[] shape, Array data)
    {
        _shape = shape;
        _storage = data;
        DType = data is float[] ? DType.Float32 : DType.Float64;
    }

    /// <summary>The elements; a tensor whose <see cref="TensorScope"/> has ended has none, and says so.</summary>
    private Array Data => _released
        ? throw new ObjectDisposedException(nameof(Tensor),
            $"This {Format(_shape)} tensor was created inside a TensorScope that has ended, and its memory was reused. " +
            "Call scope.Keep(tensor) for tensors that must outlive the scope, or Clone() them after it.")
        : _storage;

    /// <summary>Hands the storage back to the pool of an ending <see cref="TensorScope"/>; the tensor is unusable afterwards.</summary>
    internal Array Release()
    {
        _released = true;
        return _storage;
    }

    /// <summary>A tensor whose elements the caller will overwrite; the shape array is taken over, not copied.</summary>
    internal static Tensor Uninitialized(int[] shape, DType dtype)
    {
        var length = ElementCount(shape);
        if (TensorScope.Rent(dtype, length, clear: false) is { } pooled) return TensorScope.Record(new Tensor(shape, pooled));
        return dtype == DType.Float32
            ? new Tensor(shape, GC.AllocateUninitializedArray<float>(length))
            : new Tensor(shape, GC.AllocateUninitializedArray<double>(length));
    }

    /// <summary>A zero-filled tensor; the shape array is taken over, not copied.</summary>
    internal static Tensor ZerosOwned(int[] shape, DType dtype)
    {
        var length = ElementCount(shape);
        if (TensorScope.Rent(dtype, length, clear: true) is { } pooled) return TensorScope.Record(new Tensor(shape, pooled));
        return ZerosPersistent(shape, dtype);
    }

    /// <summary>Zeros that never come from a <see cref="TensorScope"/>: state that outlives a step (optimizer buffers).</summary>
    internal static Tensor ZerosPersistent(int[] shape, DType dtype)
    {
        var length = ElementCount(shape);
        return dtype == DType.Float32 ? new Tensor(shape, new float[length]) : new Tensor(shape, new double[length]);
    }

    private static System.Numerics.BigInteger Product(ReadOnlySpan<int> shape)
    {
        System.Numerics.BigInteger product = 1;
        foreach (var d in shape) product *= d;
        return product;
    }

    internal static int ElementCount(ReadOnlySpan<int> shape)
    {
        foreach (var d in shape)
            if (d < 0) throw new ArgumentException($"Shape dimensions must be non-negative, got {Format(shape)}.");
        var count = Product(shape);
        // A .NET array holds at most Array.MaxLength elements; say so rather than overflow with no shape named.
        if (count > Array.MaxLength)
            throw new ArgumentException($"A tensor of shape {Format(shape)} would hold {count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} elements; a tensor holds at most {Array.MaxLength.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}.");
        return (int)count;
    }

    /// <summary>The dimensions, outermost first. Read-only so that a caller cannot reshape a tensor by accident.</summary>
    public IReadOnlyList<int> Shape => _shapeView ??= Array.AsReadOnly(_shape);

    /// <summary>The shape array for the runtime's own use; never mutated, never handed out.</summary>
    internal int[] ShapeArray => _shape;

    public int Rank => _shape.Length;

    /// <summary>The number of elements (1 for a rank-0 scalar).</summary>
    public int Length => Data.Length;

    public DType DType { get; }

    /// <summary>
    /// The elements in row-major order, writable in place, for kernels and bulk access.
    /// <typeparamref name="T"/> must be <see cref="float"/> for Float32 tensors and <see cref="double"/> for Float64 ones.
    /// </summary>
    public Span<T> Span<T>() where T : unmanaged =>
        Data is T[] array ? array : throw WrongElementType<T>();

    /// <summary>The elements in row-major order, read-only; same type rule as <see cref="Span{T}"/>.</summary>
    public ReadOnlySpan<T> ReadOnlySpan<T>() where T : unmanaged =>
        Data is T[] array ? array : throw WrongElementType<T>();

    private InvalidOperationException WrongElementType<T>() =>
        new($"This tensor is {DType.Name()}; read it as {(DType == DType.Float32 ? "float" : "double")}, not {typeof(T).Name}.");

    /// <summary>The value of a one-element tensor (any rank), e.g. a loss.</summary>
    public double Item()
    {
        if (Length != 1)
            throw new InvalidOperationException($"Item() needs a tensor with exactly one element, but this tensor has shape {ShapeString()} ({Length} elements).");
        return GetFlat(0);
    }

    /// <summary>One element by its full index (one coordinate per dimension; negative counts from the end).</summary>
    // The default indexer name "Item" would clash with Item(); C# callers see no difference.
    [System.Runtime.CompilerServices.IndexerName("At")]
    public double this[params int[] index]
    {
        get => GetFlat(FlatIndex(index));
        set => SetFlat(FlatIndex(index), value);
    }

    private int FlatIndex(int[] index)
    {
        if (index.Length != Rank)
            throw new ArgumentException($"A tensor of shape {ShapeString()} needs {Rank} indices, got {index.Length}.", nameof(index));
        var flat = 0;
        for (var d = 0; d < Rank; d++)
        {
            var i = index[d] < 0 ? index[d] + _shape[d] : index[d];
            if ((uint)i >= (uint)_shape[d])
                throw new IndexOutOfRangeException($"Index {index[d]} is out of range for dimension {d} of size {_shape[d]} (shape {ShapeString()}).");
            flat = flat * _shape[d] + i;
        }
        return flat;
    }

    internal double GetFlat(int i) => Data is float[] f ? f[i] : ((double[])Data)[i];

    internal void SetFlat(int i, double value)
    {
        if (Data is float[] f) f[i] = (float)value;
        else ((double[])Data)[i] = value;
    }

    public float[] ToFloatArray()
    {
        if (Data is float[] f) return (float[])f.Clone();
        var d = (double[])Data;
        var result = new float[d.Length];
        for (var i = 0; i < d.Length; i++) result[i] = (float)d[i];
        return result;
    }

    public double[] ToDoubleArray()
    {
        if (Data is double[] d) return (double[])d.Clone();
        var f = (float[])Data;
        var result = new double[f.Length];
        for (var i = 0; i < f.Length; i++) result[i] = f[i];
        return result;
    }

    /// <summary>A copy converted to <paramref name="dtype"/> (a plain copy when the dtype is already right).</summary>
    public Tensor To(DType dtype) =>
        dtype == DType.Float32 ? new Tensor(CopyShape(), ToFloatArray()) : new Tensor(CopyShape(), ToDoubleArray());

    public Tensor Clone() => To(DType);

    internal int[] CopyShape() => (int[])_shape.Clone();

    /// <summary>
    /// A copy of the elements under another shape of the same length (taken over, not copied); its storage comes from
    /// the active <see cref="TensorScope"/> like any other result's, so a reshape in a training step allocates nothing.
    /// </summary>
    internal Tensor CopyWithShape(int[] shape)
    {
        var copy = Uninitialized(shape, DType);
        Array.Copy(Data, copy.Data, Length);
        return copy;
    }

    /// <summary>The shape as "(100, 784)"; a scalar is "()".</summary>
    public string ShapeString() => Format(_shape);

    internal static string Format(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (var i = 0; i < shape.Length; i++) parts[i] = shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "(" + string.Join(", ", parts) + ")";
    }

    internal bool SameShape(Tensor other) => _shape.AsSpan().SequenceEqual(other._shape);

    public override string ToString() => TensorFormatter.Format(this);
}
