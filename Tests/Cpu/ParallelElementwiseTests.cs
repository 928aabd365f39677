namespace Differentiable.Tests.Cpu;

/// <summary>
/// Elementwise passes over 32K elements or more are split across the cores (Runtime/Cpu/ElementwiseSplit.cs). Each element
/// must come out with the bits an unsplit pass gives it: here a large tensor's result is compared with the same op
/// applied to pieces of it too short to split, one after another, for unary ops, both broadcasting forms, and scalars
/// on either side, at lengths that end in a partial vector. A flat pass computes its last partial vector apart (some
/// ops by scalar code), so flat pieces are whole vectors long, as the split's parts are; a broadcast runs row by row,
/// so its pieces are whole rows.
/// </summary>
public class ParallelElementwiseTests
{
    /// <summary>Pieces of this many rows of the tests' tensors stay under the split threshold.</summary>
    private const int SliceRows = 7;

    /// <summary>Flat pieces: a whole number of vectors of any width, under the split threshold.</summary>
    private const int SliceElements = 4096;

    public static TheoryData<int, int> Shapes => new()
    {
        { 640, 576 },    // a convolution's 64 × 10 planes of 24 × 24
        { 1000, 128 },   // a 1,000-row batch of 128 features
        { 997, 131 },    // rows that end in a partial vector, and a total that is not a multiple of one either
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void UnaryOpsGiveEachElementTheBitsOfAnUnsplitPass(int rows, int columns)
    {
        var x = Tensor.Randn(new[] { rows, columns }, new Rng(5));
        foreach (var op in new Func<Tensor, Tensor>[] { Ops.Exp, Ops.Sin, Ops.Cos, Ops.Tanh, Ops.Sigmoid, Ops.Relu, t => Ops.Log(Ops.Abs(t)) })
            AssertPiecesAgree(op(x), x.Length, SliceElements, at => op(Flat(x, at)));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BinaryOpsGiveEachElementTheBitsOfAnUnsplitPass(int rows, int columns)
    {
        var rng = new Rng(6);
        var a = Tensor.Randn(new[] { rows, columns }, rng);
        var b = Tensor.Randn(new[] { rows, columns }, rng);
        var bias = Tensor.Randn(new[] { 1, columns }, rng);
        var perRow = Tensor.Randn(new[] { rows, 1 }, rng);
        AssertPiecesAgree(Ops.Mul(a, b), a.Length, SliceElements, at => Ops.Mul(Flat(a, at), Flat(b, at)));
        AssertPiecesAgree(Ops.Mul(a, 0.37), a.Length, SliceElements, at => Ops.Mul(Flat(a, at), 0.37));
        AssertPiecesAgree(Ops.Sub(1.0, a), a.Length, SliceElements, at => Ops.Sub(1.0, Flat(a, at)));
        AssertPiecesAgree(Ops.Add(a, bias), rows, SliceRows, r => Ops.Add(Rows(a, r), bias));
        AssertPiecesAgree(Ops.Sub(perRow, a), rows, SliceRows, r => Ops.Sub(Rows(perRow, r), Rows(a, r)));
    }

    [Fact]
    public void AChannelBiasOverImagesGivesEachElementTheBitsOfAnUnsplitPass()
    {
        var rng = new Rng(7);
        var x = Tensor.Randn(new[] { 64, 10, 24, 24 }, rng);
        var bias = Tensor.Randn(new[] { 10, 1, 1 }, rng);
        var whole = Ops.Add(x, bias).ToFloatArray();
        var elements = x.ToFloatArray();
        var image = 10 * 24 * 24;
        for (var n = 0; n < 64; n++)
        {
            var one = Tensor.FromArray(elements.AsSpan(n * image, image).ToArray(), 1, 10, 24, 24);
            Assert.Equal(Ops.Add(one, bias).ToFloatArray(), whole.AsSpan(n * image, image).ToArray());
        }
    }

    /// <summary>Rows [r, r + SliceRows) of a 2-D tensor, as a tensor of its own (the tensor's elements are read once, and kept).</summary>
    private static Tensor Rows(Tensor t, int r)
    {
        var (rows, columns) = (t.Shape[0], t.Shape[1]);
        var count = Math.Min(SliceRows, rows - r);
        var data = Elements.GetValue(t, tensor => tensor.ToFloatArray());
        return Tensor.FromArray(data.AsSpan(r * columns, count * columns).ToArray(), count, columns);
    }

    /// <summary>Elements [at, at + SliceElements) of a tensor, flat, as a tensor of its own.</summary>
    private static Tensor Flat(Tensor t, int at)
    {
        var data = Elements.GetValue(t, tensor => tensor.ToFloatArray());
        var count = Math.Min(SliceElements, data.Length - at);
        return Tensor.FromArray(data.AsSpan(at, count).ToArray(), count);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Tensor, float[]> Elements = new();

    /// <summary>The whole result against the pieces' results in order: piece(0), piece(step), ... up to <paramref name="count"/>.</summary>
    private static void AssertPiecesAgree(Tensor whole, int count, int step, Func<int, Tensor> piece)
    {
        var expected = new List<float>();
        for (var at = 0; at < count; at += step) expected.AddRange(piece(at).ToFloatArray());
        Assert.True(whole.Length >= 1 << 16, "the whole tensor is long enough to be split (from 32K elements)");
        Assert.Equal(expected.ToArray(), whole.ToFloatArray());
    }
}
