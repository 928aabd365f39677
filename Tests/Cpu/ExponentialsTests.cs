namespace Differentiable.Tests.Cpu;

/// <summary>
/// The vectorized float32 Exp, Log, Tanh and Sigmoid against the platform's MathF (and the scalar sigmoid), over wide
/// ranges, every special value, and inputs placed so that one vector mixes in-range and out-of-range elements.
/// </summary>
public class ExponentialsTests
{
    private static float[] Inputs(double range, ulong seed)
    {
        var rng = new Rng(seed);
        var values = new List<float>();
        for (var i = 0; i < 40_000; i++) values.Add((float)((rng.NextDouble() * 2 - 1) * range));
        for (var i = 0; i < 10_000; i++) values.Add((float)((rng.NextDouble() * 2 - 1) * 3));
        for (var i = 0; i < 5_000; i++) values.Add((float)Math.Exp((rng.NextDouble() * 2 - 1) * 80));   // positive, many scales
        values.AddRange(new[]
        {
            0f, -0f, 1f, -1f, 0.5f, 0.625f, -0.625f, 0.62499f, 9f, -9f, 20f, 44f, 86.9f, 87f, 87.1f, 88.7f, 88.8f, 89f, -87f, -87.5f,
            -103f, -104f, -200f, 1e-30f, -1e-30f, 1e-38f, 1.17549435e-38f, 1e-45f, float.Epsilon, float.MaxValue, -float.MaxValue,
            float.NaN, float.PositiveInfinity, float.NegativeInfinity,
        });
        return values.ToArray();
    }

    public static TheoryData<string> Functions => new() { "exp", "log", "tanh", "sigmoid" };

    private static float Expected(string f, float x) => f switch
    {
        "exp" => MathF.Exp(x),
        "log" => MathF.Log(x),
        "tanh" => MathF.Tanh(x),
        _ => x >= 0 ? 1f / (1f + MathF.Exp(-x)) : MathF.Exp(x) / (1f + MathF.Exp(x)),
    };

    private static Tensor Apply(string f, Tensor x) => f switch
    {
        "exp" => Ops.Exp(x),
        "log" => Ops.Log(x),
        "tanh" => Ops.Tanh(x),
        _ => Ops.Sigmoid(x),
    };

    [Theory]
    [MemberData(nameof(Functions))]
    public void AgreesWithMathF(string f)
    {
        var inputs = Inputs(f == "log" ? 1e6 : 100, 41);
        var actual = Apply(f, Tensor.FromArray(inputs, inputs.Length)).ToFloatArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            var expected = Expected(f, inputs[i]);
            if (float.IsNaN(expected) || float.IsInfinity(expected) || expected == 0)
            {
                Assert.True(expected.Equals(actual[i]), $"{f}({inputs[i]:R}) = {actual[i]:R}, MathF gives {expected:R}");
                continue;
            }
            // Three float ulps relative to the result; for log, relative to its magnitude or, near log 1 = 0, absolute.
            var scale = f == "log" ? MathF.Max(MathF.Abs(expected), 1f) : MathF.Abs(expected);
            var tolerance = 3.6e-7f * scale;
            Assert.True(MathF.Abs(expected - actual[i]) <= tolerance, $"{f}({inputs[i]:R}) = {actual[i]:R}, MathF gives {expected:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Float64StaysOnTheScalarCalls(string f)
    {
        var inputs = new[] { 0.3, 1.7, 2.5, 0.01, 5.0, 7.25, 0.9, 3.3, 11.0 };
        var actual = Apply(f, Tensor.FromArray(inputs, inputs.Length)).ToDoubleArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i];
            var expected = f switch { "exp" => Math.Exp(x), "log" => Math.Log(x), "tanh" => Math.Tanh(x), _ => 1 / (1 + Math.Exp(-x)) };
            Assert.Equal(expected, actual[i], 15);
        }
    }
}
