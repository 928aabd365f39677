namespace Differentiable;

public sealed partial class Tensor
{
    public static Tensor Zeros(params int[] shape) => Zeros(shape, DType.Float32);

    public static Tensor Zeros(int[] shape, DType dtype) => ZerosOwned(CheckedShape(shape), dtype);

    public static Tensor Ones(params int[] shape) => Ones(shape, DType.Float32);

    public static Tensor Ones(int[] shape, DType dtype) => Full(shape, 1.0, dtype);

    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32)
    {
        var t = Uninitialized(CheckedShape(shape), dtype);
        if (dtype == DType.Float32) t.Span<float>().Fill((float)value);
        else t.Span<double>().Fill(value);
        return t;
    }

    /// <summary>0, 1, …, n − 1 as a 1-D tensor.</summary>
    public static Tensor Arange(int n, DType dtype = DType.Float32)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Arange needs a non-negative count.");
        var t = Uninitialized(new[] { n }, dtype);
        for (var i = 0; i < n; i++) t.SetFlat(i, i);
        return t;
    }

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Full(Array.Empty<int>(), value, dtype);

    /// <summary>
    /// Copies <paramref name="data"/> into a Float32 tensor of <paramref name="shape"/>; with no shape the tensor is 1-D.
    /// </summary>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Tensor(ShapeFor(data.Length, shape), (float[])data.Clone());
    }

    /// <summary>
    /// Copies <paramref name="data"/> into a Float64 tensor of <paramref name="shape"/>; with no shape the tensor is 1-D.
    /// </summary>
    public static Tensor FromArray(double[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Tensor(ShapeFor(data.Length, shape), (double[])data.Clone());
    }

    /// <summary>Uniform samples on [0, 1), drawn in row-major order.</summary>
    public static Tensor Rand(int[] shape, Rng rng, DType dtype = DType.Float32) => Uniform(shape, 0.0, 1.0, rng, dtype);

    /// <summary>Standard normal samples, drawn in row-major order.</summary>
    public static Tensor Randn(int[] shape, Rng rng, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Uninitialized(CheckedShape(shape), dtype);
        for (var i = 0; i < t.Length; i++) t.SetFlat(i, rng.NextGaussian());
        return t;
    }

    /// <summary>Uniform samples on [low, high), drawn in row-major order.</summary>
    public static Tensor Uniform(int[] shape, double low, double high, Rng rng, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(low <= high)) throw new ArgumentException($"Uniform needs low <= high, got [{low}, {high}).");
        var t = Uninitialized(CheckedShape(shape), dtype);
        if (dtype == DType.Float32)
        {
            var span = t.Span<float>();
            for (var i = 0; i < span.Length; i++)
            {
                // Rounding to float can land exactly on high; step back so the interval stays half-open.
                var v = (float)(low + (high - low) * rng.NextDouble());
                span[i] = v >= (float)high && high > low ? MathF.BitDecrement((float)high) : v;
            }
        }
        else
        {
            var span = t.Span<double>();
            for (var i = 0; i < span.Length; i++) span[i] = low + (high - low) * rng.NextDouble();
        }
        return t;
    }

    private static int[] CheckedShape(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ElementCount(shape);
        return (int[])shape.Clone();
    }

    private static int[] ShapeFor(int length, int[] shape)
    {
        if (shape is null || shape.Length == 0) return new[] { length };
        var count = ElementCount(shape);
        if (count != length)
            throw new ShapeMismatchException($"FromArray: {length} values cannot fill shape {Format(shape)}, which holds {count}.");
        return (int[])shape.Clone();
    }
}
