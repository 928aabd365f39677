using Differentiable;

namespace Differentiable.Tests.Runtime;

/// <summary>Builds tensors in either dtype and compares them with hand-computed values at a dtype-appropriate tolerance.</summary>
internal static class TensorAssert
{

    public static Tensor Make(DType dtype, double[] values, params int[] shape) =>
        Tensor.FromArray(values, shape.Length == 0 ? new[] { values.Length } : shape).To(dtype);

    public static double Tolerance(DType dtype) => dtype == DType.Float32 ? 1e-5 : 1e-12;

    public static void Close(double[] expected, Tensor actual, DType? dtype = null, double? tolerance = null)
    {
        var tol = tolerance ?? Tolerance(dtype ?? actual.DType);
        if (dtype is { } d) Assert.Equal(d, actual.DType);
        var values = actual.ToDoubleArray();
        Assert.Equal(expected.Length, values.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]) || double.IsInfinity(expected[i]))
            {
                Assert.Equal(expected[i], values[i]);
                continue;
            }
            var scale = Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - values[i]) <= tol * scale,
                $"element {i}: expected {expected[i]:R}, got {values[i]:R} (tolerance {tol})");
        }
    }

    public static void Shape(Tensor t, params int[] shape) => Assert.Equal(shape, t.Shape);
}
