using System.Numerics;
using System.Runtime.CompilerServices;

namespace Differentiable.Cpu;

/// <summary>
/// Vectorized float32 exp, log, tanh and sigmoid after Cephes' expf and logf (Cody–Waite range reduction, then the
/// minimax polynomials), a vector of elements at a time; within a few ulp of MathF's for every input they take. A
/// vector holding an input outside a kernel's range (exp past ±87, log of a non-positive, subnormal, infinite or NaN
/// number) is computed with the scalar calls, so every input gets MathF's handling of the edges. Float64 stays scalar:
/// gradient checks need its full precision. (.NET 10's own Vector*.Exp/Log measured slower than the scalar calls here:
/// software fallbacks.)
/// </summary>
internal static class Exponentials
{
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f;
    private const float ExpLimit = 87.0f;                   // e^±87 and 2^n stay normal floats
    private const float SqrtHalf = 0.707106781186547524f;
    private const float SmallestNormal = 1.17549435e-38f;
    private const float TanhSmall = 0.625f, TanhLarge = 10.0f;  // from about 9.01 on, 1 − tanh|x| is below half an ulp of 1: tanh is ±1

    public static void Exp(ReadOnlySpan<float> x, Span<float> dst) => Run<ExpKernel>(x, dst);

    public static void Log(ReadOnlySpan<float> x, Span<float> dst) => Run<LogKernel>(x, dst);

    public static void Tanh(ReadOnlySpan<float> x, Span<float> dst) => Run<TanhKernel>(x, dst);

    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> dst) => Run<SigmoidKernel>(x, dst);

    /// <summary>One function: which vectors its kernel takes, the kernel, and the scalar call for everything else.</summary>
    private interface IKernel
    {
        static abstract bool Takes(Vector<float> v);
        static abstract Vector<float> Vector(Vector<float> v);
        static abstract float Scalar(float x);
    }

    private static void Run<TKernel>(ReadOnlySpan<float> x, Span<float> dst) where TKernel : IKernel
    {
        var i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
            for (var w = Vector<float>.Count; i <= x.Length - w; i += w)
            {
                var v = new Vector<float>(x[i..]);
                if (TKernel.Takes(v)) TKernel.Vector(v).CopyTo(dst[i..]);
                else for (var k = i; k < i + w; k++) dst[k] = TKernel.Scalar(x[k]);
            }
        for (; i < x.Length; i++) dst[i] = TKernel.Scalar(x[i]);
    }

    private readonly struct ExpKernel : IKernel
    {
        public static bool Takes(Vector<float> v) => InExpRange(v);
        public static Vector<float> Vector(Vector<float> v) => ExpCore(v);
        public static float Scalar(float x) => MathF.Exp(x);
    }

    private readonly struct LogKernel : IKernel
    {
        // normal, finite and positive only (a NaN fails the first comparison)
        public static bool Takes(Vector<float> v) =>
            System.Numerics.Vector.GreaterThanOrEqualAll(v, new Vector<float>(SmallestNormal)) &&
            System.Numerics.Vector.LessThanAll(v, new Vector<float>(float.PositiveInfinity));
        public static Vector<float> Vector(Vector<float> v) => LogCore(v);
        public static float Scalar(float x) => MathF.Log(x);
    }

    private readonly struct TanhKernel : IKernel
    {
        public static bool Takes(Vector<float> v) => System.Numerics.Vector.EqualsAll(v, v);
        public static Vector<float> Vector(Vector<float> v) => TanhCore(v);
        public static float Scalar(float x) => MathF.Tanh(x);
    }

    private readonly struct SigmoidKernel : IKernel
    {
        public static bool Takes(Vector<float> v) => InExpRange(v);

        // e^−|x| ≤ 1 never overflows; 1 / (1 + e) for x ≥ 0 and e / (1 + e) below, as the scalar kernel.
        public static Vector<float> Vector(Vector<float> v)
        {
            var e = ExpCore(-System.Numerics.Vector.Abs(v));
            var ratio = Vector<float>.One / (Vector<float>.One + e);
            return System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.GreaterThanOrEqual(v, Vector<float>.Zero), ratio, e * ratio);
        }

        public static float Scalar(float x) => SigmoidOp.Apply(x);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool InExpRange(Vector<float> v) => Vector.LessThanOrEqualAll(Vector.Abs(v), new Vector<float>(ExpLimit));

    /// <summary>e^x for |x| ≤ 87: x = n·ln 2 + r with |r| ≤ ln2 / 2, e^r by Cephes' degree-6 polynomial, times 2ⁿ by exponent bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> ExpCore(Vector<float> x)
    {
        var n = Vector.Round(x * new Vector<float>(Log2E));
        var r = x - n * new Vector<float>(Ln2Hi) - n * new Vector<float>(Ln2Lo);
        var p = new Vector<float>(1.9875691500E-4f);
        p = p * r + new Vector<float>(1.3981999507E-3f);
        p = p * r + new Vector<float>(8.3334519073E-3f);
        p = p * r + new Vector<float>(4.1665795894E-2f);
        p = p * r + new Vector<float>(1.6666665459E-1f);
        p = p * r + new Vector<float>(5.0000001201E-1f);
        p = p * (r * r) + r + Vector<float>.One;
        var scale = (Vector.ConvertToInt32(n) + new Vector<int>(127)) << 23;
        return p * scale.As<int, float>();
    }

    /// <summary>ln x for normal, finite x &gt; 0: x = m·2ᵉ with m in [√½, √2), ln m by Cephes' degree-8 polynomial.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> LogCore(Vector<float> x)
    {
        var bits = x.As<float, int>();
        var e = ((bits >>> 23) & new Vector<int>(0xFF)) - new Vector<int>(126);        // x = m·2ᵉ, m in [0.5, 1)
        var m = ((bits & new Vector<int>(0x007FFFFF)) | new Vector<int>(0x3F000000)).As<int, float>();
        var small = Vector.LessThan(m, new Vector<float>(SqrtHalf));
        e -= Vector.ConditionalSelect(small, Vector<int>.One, Vector<int>.Zero);
        m = Vector.ConditionalSelect(small, m + m, m) - Vector<float>.One;
        var fe = Vector.ConvertToSingle(e);
        var z = m * m;
        var p = new Vector<float>(7.0376836292E-2f);
        p = p * m + new Vector<float>(-1.1514610310E-1f);
        p = p * m + new Vector<float>(1.1676998740E-1f);
        p = p * m + new Vector<float>(-1.2420140846E-1f);
        p = p * m + new Vector<float>(1.4249322787E-1f);
        p = p * m + new Vector<float>(-1.6668057665E-1f);
        p = p * m + new Vector<float>(2.0000714765E-1f);
        p = p * m + new Vector<float>(-2.4999993993E-1f);
        p = p * m + new Vector<float>(3.3333331174E-1f);
        var y = p * m * z + fe * new Vector<float>(Ln2Lo) - new Vector<float>(0.5f) * z;
        return m + y + fe * new Vector<float>(Ln2Hi);
    }

    /// <summary>tanh x: Cephes' odd polynomial below 0.625, else ±(1 − 2 / (e^{2|x|} + 1)) with |x| capped at 10 (where it rounds to 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<float> TanhCore(Vector<float> x)
    {
        var a = Vector.Abs(x);
        var z = x * x;
        var p = new Vector<float>(-5.70498872745E-3f);
        p = p * z + new Vector<float>(2.06390887954E-2f);
        p = p * z + new Vector<float>(-5.37397155531E-2f);
        p = p * z + new Vector<float>(1.33314422036E-1f);
        p = p * z + new Vector<float>(-3.33332819422E-1f);
        var small = p * z * x + x;
        var e = ExpCore(new Vector<float>(2f) * Vector.Min(a, new Vector<float>(TanhLarge)));
        var large = Vector<float>.One - new Vector<float>(2f) / (e + Vector<float>.One);
        large = Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), -large, large);
        return Vector.ConditionalSelect(Vector.LessThan(a, new Vector<float>(TanhSmall)), small, large);
    }
}
