using Differentiable.Generator.Emit.Cuda;

namespace Differentiable.Tests.Generator;

/// <summary>
/// The buffer the device emitter renders fused expressions into, level over level, and the kernel lookup that reads it
/// in place: a filled template moved down over its operands leaves exactly the filled text, and a kernel is found only
/// for the same text and the same number of inputs.
/// </summary>
public class ExpressionBufferTests
{
    [Fact]
    public void A_template_filled_after_its_operands_and_moved_down_leaves_the_filled_text()
    {
        var buffer = new ExpressionBuffer().Append("out = ");
        var start = buffer.Length;
        buffer.Append("a[i]");
        var (a, aLength) = (start, buffer.Length - start);
        var b = buffer.Length;
        buffer.Append(12).Append(".5f");
        var bLength = buffer.Length - b;
        var filled = buffer.Length;
        buffer.Append("fmaxf(").AppendCopy(a, aLength).Append(", ").AppendCopy(b, bLength).Append(')');
        buffer.MoveDown(filled, start);
        Assert.Equal("out = fmaxf(a[i], 12.5f)", buffer.ToString());
        Assert.Equal("fmaxf(a[i], 12.5f)", buffer.ToString(start));
        Assert.True(buffer.Contains('('));
        Assert.False(buffer.Contains('\u0001'));
    }

    [Fact]
    public void Numbers_are_written_as_invariant_digits()
    {
        foreach (var n in new[] { 0, 7, 10, 99, 100, 123456789, int.MaxValue, -5 })
            Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture), new ExpressionBuffer().Append(n).ToString());
    }

    [Fact]
    public void A_kernel_is_found_for_the_same_text_and_input_count_only()
    {
        var kernels = new KernelsByExpression();
        kernels.Add("tanhf(x)", 1, "k1");
        Assert.True(kernels.TryGet(new ExpressionBuffer().Append("tanhf(x)"), 1, out var kernel));
        Assert.Equal("k1", kernel);
        Assert.False(kernels.TryGet(new ExpressionBuffer().Append("tanhf(x)"), 2, out _));
        Assert.False(kernels.TryGet(new ExpressionBuffer().Append("tanhf(y)"), 1, out _));
        Assert.False(kernels.TryGet(new ExpressionBuffer().Append("tanhf(x) "), 1, out _));
        // Many kernels (the lookup splits into shards past a thousand): each still found by its own text.
        for (var k = 0; k < 3000; k++) kernels.Add($"e{k}", 1, $"k{k}");
        for (var k = 0; k < 3000; k += 7)
        {
            Assert.True(kernels.TryGet(new ExpressionBuffer().Append($"e{k}"), 1, out kernel));
            Assert.Equal($"k{k}", kernel);
        }
    }
}
