using System.Numerics;

namespace Differentiable.Cpu;

/// <summary>
/// Vectorized float32 sine and cosine: Cephes' sinf/cosf (Cody–Waite reduction by π/4 in three parts, then the
/// minimax polynomials on [−π/4, π/4]), within 2 ulp of MathF.Sin/Cos for |x| ≤ 8192. A vector holding a larger,
/// infinite or NaN input is computed with the scalar calls, so every input gets a correct result. Float64 stays scalar:
/// gradient checks need its full precision. (.NET 10's own Vector*.Sin/Cos measured slower than the scalar calls here.)
/// </summary>
internal static class Trigonometry
{
    private const float FourOverPi = 1.27323954473516f;
    private const float DP1 = 0.78515625f, DP2 = 2.4187564849853515625e-4f, DP3 = 3.77489497744594108e-8f;
    private const float S0 = -1.9515295891e-4f, S1 = 8.3321608736e-3f, S2 = -1.6666654611e-1f;
    private const float C0 = 2.443315711809948e-5f, C1 = -1.388731625493765e-3f, C2 = 4.166664568298827e-2f;
    private const float ReductionLimit = 8192f;

    public static void Sin(ReadOnlySpan<float> x, Span<float> dst) => Run(x, dst, cosine: false);

    public static void Cos(ReadOnlySpan<float> x, Span<float> dst) => Run(x, dst, cosine: true);

    private static void Run(ReadOnlySpan<float> x, Span<float> dst, bool cosine)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
            for (var w = Vector<float>.Count; i <= x.Length - w; i += w)
            {
                var v = new Vector<float>(x[i..]);
                var a = Vector.Abs(v);
                if (Vector.GreaterThanAny(a, new Vector<float>(ReductionLimit)) || !Vector.EqualsAll(v, v))
                    for (var k = i; k < i + w; k++) dst[k] = cosine ? MathF.Cos(x[k]) : MathF.Sin(x[k]);
                else
                    Evaluate(v, a, cosine).CopyTo(dst[i..]);
            }
        for (; i < x.Length; i++) dst[i] = cosine ? MathF.Cos(x[i]) : MathF.Sin(x[i]);
    }

    private static Vector<float> Evaluate(Vector<float> x, Vector<float> a, bool cosine)
    {
        // Octant j of |x| rounded up to even, so the reduced argument lies in [−π/4, π/4].
        var j = Vector.ConvertToInt32(a * new Vector<float>(FourOverPi));
        j += j & Vector<int>.One;
        var y = Vector.ConvertToSingle(j);
        j &= new Vector<int>(7);
        var upperHalf = Vector.GreaterThan(j, new Vector<int>(3));
        j -= upperHalf & new Vector<int>(4);

        var z = a - y * new Vector<float>(DP1) - y * new Vector<float>(DP2) - y * new Vector<float>(DP3);
        var zz = z * z;
        var cosPoly = ((new Vector<float>(C0) * zz + new Vector<float>(C1)) * zz + new Vector<float>(C2)) * zz * zz - new Vector<float>(0.5f) * zz + Vector<float>.One;
        var sinPoly = ((new Vector<float>(S0) * zz + new Vector<float>(S1)) * zz + new Vector<float>(S2)) * zz * z + z;

        var oneOrTwo = Vector.Equals(j, Vector<int>.One) | Vector.Equals(j, new Vector<int>(2));
        Vector<int> negate;
        Vector<float> result;
        if (cosine)
        {
            result = Vector.ConditionalSelect(oneOrTwo.As<int, float>(), sinPoly, cosPoly);
            negate = upperHalf ^ Vector.GreaterThan(j, Vector<int>.One);
        }
        else
        {
            result = Vector.ConditionalSelect(oneOrTwo.As<int, float>(), cosPoly, sinPoly);
            negate = upperHalf ^ Vector.LessThan(x, Vector<float>.Zero);
        }
        return Vector.ConditionalSelect(negate.As<int, float>(), -result, result);
    }
}
