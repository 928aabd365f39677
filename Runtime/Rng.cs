namespace Differentiable;

/// <summary>
/// A seeded xoshiro256** generator. System.Random's algorithm is unspecified and has changed between .NET versions,
/// so experiments would not reproduce; this one gives the same stream for a seed on every platform and runtime.
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareGaussian;
    private bool _hasSpare;

    public Rng(ulong seed)
    {
        // SplitMix64 expands the seed, as the xoshiro authors recommend, so that nearby seeds give unrelated streams
        // and the all-zero state (a fixed point of xoshiro) cannot occur.
        var x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next raw 64-bit output.</summary>
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal by Box–Muller; the second value of each pair is kept for the next call.</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }
        // 1 − u lies in (0, 1], so the logarithm is finite.
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        var r = Math.Sqrt(-2.0 * Math.Log(u1));
        var theta = 2.0 * Math.PI * u2;
        _spareGaussian = r * Math.Sin(theta);
        _hasSpare = true;
        return r * Math.Cos(theta);
    }

    /// <summary>Uniform on [0, maxExclusive) without modulo bias (Lemire's multiply-and-reject).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "NextInt needs a positive bound.");
        var bound = (uint)maxExclusive;
        var m = (ulong)(uint)(NextUInt64() >> 32) * bound;
        if ((uint)m < bound)
        {
            var threshold = (uint)((0x1_0000_0000UL - bound) % bound);
            while ((uint)m < threshold) m = (ulong)(uint)(NextUInt64() >> 32) * bound;
        }
        return (int)(m >> 32);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle(Span<int> values)
    {
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
