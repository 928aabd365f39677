namespace Differentiable.Tests.Cpu;

/// <summary>The vectorized float32 Sin and Cos against the platform's MathF, over wide ranges and every special value.</summary>
public class TrigonometryTests
{
    private static float[] Inputs()
    {
        var rng = new Rng(12);
        var values = new List<float>();
        for (var i = 0; i < 50_000; i++) values.Add((float)((rng.NextDouble() * 2 - 1) * 100));
        for (var i = 0; i < 5_000; i++) values.Add((float)((rng.NextDouble() * 2 - 1) * 8192));
        for (var k = -16; k <= 16; k++) values.Add(k * MathF.PI / 4);
        values.AddRange(new[] { 0f, -0f, 1e-30f, -1e-30f, 8191.9f, 8192f, 8192.5f, -9000f, 1e6f, float.MaxValue, float.NaN, float.PositiveInfinity, float.NegativeInfinity });
        return values.ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AgreesWithMathF(bool cosine)
    {
        var inputs = Inputs();
        var x = Tensor.FromArray(inputs, inputs.Length);
        var actual = (cosine ? Ops.Cos(x) : Ops.Sin(x)).ToFloatArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = cosine ? MathF.Cos(inputs[i]) : MathF.Sin(inputs[i]);
            if (float.IsNaN(expected))
            {
                Assert.True(float.IsNaN(actual[i]), $"{(cosine ? "cos" : "sin")}({inputs[i]}) should be NaN, got {actual[i]}");
                continue;
            }
            // Two float ulps of a result of magnitude one, relative otherwise (results near zero carry the argument's rounding).
            var tolerance = 2.5e-7f * MathF.Max(1f, MathF.Abs(inputs[i]) / 8);
            Assert.True(MathF.Abs(expected - actual[i]) <= tolerance, $"{(cosine ? "cos" : "sin")}({inputs[i]:R}) = {actual[i]:R}, MathF gives {expected:R}");
        }
    }

    [Fact]
    public void SignOfZeroAndOddSymmetry()
    {
        var x = Tensor.FromArray(new[] { 0.3f, -0.3f, 2.5f, -2.5f, 5f, -5f, 0.7f, -0.7f, 1.1f, -1.1f, 3f, -3f, 6f, -6f, 10f, -10f }, 16);
        var sin = Ops.Sin(x).ToFloatArray();
        var cos = Ops.Cos(x).ToFloatArray();
        for (var i = 0; i < 16; i += 2)
        {
            Assert.Equal(sin[i], -sin[i + 1]);
            Assert.Equal(cos[i], cos[i + 1]);
        }
    }
}
