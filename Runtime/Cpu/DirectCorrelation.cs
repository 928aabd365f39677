using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Differentiable.Cpu;

/// <summary>
/// A stride-1 correlation without a patch matrix: out[o, r, col] = Σ_{c, i, j} w[o, c, i, j] · src[c, r − padH + i,
/// col − padW + j], a vector of output columns at a time. For a block of up to six output channels, each tap loads one
/// vector of the (zero-bordered) source row and multiplies it by each channel's weight, broadcast: one load feeds up to
/// six independent multiply-add chains, and nothing is copied into an im2col matrix. It serves the convolution's
/// forward (src = x, out = y).
/// </summary>
internal static unsafe class DirectCorrelation
{
    /// <summary>True when this kernel serves T on this machine and the output rows are at least a vector wide.</summary>
    public static bool Serves<T>(int outWidth) where T : unmanaged =>
        Vector256.IsHardwareAccelerated && outWidth >= Vector256<T>.Count &&
        (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>The geometry of one correlation: source planes, kernel, output planes.</summary>
    public readonly record struct Shape(int Channels, int H, int W, int PadH, int PadW, int KH, int KW, int Outputs, int OH, int OW)
    {
        public int Patch => Channels * KH * KW;
    }

    /// <summary>
    /// out = the correlation of images [n0, n1) (each Channels×H×W, consecutive from <paramref name="src"/>; each
    /// Outputs×OH×OW, consecutive from <paramref name="dst"/>) with w (Outputs × Channels × KH × KW);
    /// <paramref name="scratch"/> holds <see cref="PaddedPlanes.ScratchLength"/> elements for the group's planes.
    /// </summary>
    public static void Run<T>(T* src, T* w, T* dst, Shape s, int n0, int n1, T* scratch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int srcImage = s.Channels * s.H * s.W, dstPlane = s.OH * s.OW;
        var planes = PaddedPlanes<T>.Of(src + (nint)n0 * srcImage, (n1 - n0) * s.Channels, s.H, s.W, s.PadH, s.PadW, scratch);
        // Blocks of at most six channels, as even as possible (20 → 5 + 5 + 5 + 5, not 6 + 6 + 6 + 2).
        var blocks = (s.Outputs + 5) / 6;
        var per = (s.Outputs + blocks - 1) / blocks;
        for (var n = n0; n < n1; n++)
        {
            var image = planes.First + (nint)(n - n0) * s.Channels * planes.PlaneStride;
            for (var o = 0; o < s.Outputs; o += per)
            {
                var count = Math.Min(per, s.Outputs - o);
                var weights = w + (nint)o * s.Patch;
                var output = dst + ((nint)n * s.Outputs + o) * dstPlane;
                switch (count)
                {
                    case 1: Block<T, One>(image, planes, weights, output, s); break;
                    case 2: Block<T, Two>(image, planes, weights, output, s); break;
                    case 3: Block<T, Three>(image, planes, weights, output, s); break;
                    case 4: Block<T, Four>(image, planes, weights, output, s); break;
                    case 5: Block<T, Five>(image, planes, weights, output, s); break;
                    default: Block<T, Six>(image, planes, weights, output, s); break;
                }
            }
        }
    }

    /// <summary>TCount.N output planes (weights <paramref name="w"/>, consecutive filters) of one image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<T, TCount>(T* image, PaddedPlanes<T> planes, T* w, T* output, Shape s)
        where T : unmanaged, IFloatingPointIeee754<T> where TCount : struct, ICount
    {
        var width = Vector256<T>.Count;
        int patch = s.Patch, plane = s.OH * s.OW;
        // Two output rows at a time: each weight, broadcast once, feeds a multiply-add for both rows (the kernel was
        // bound by loads, one broadcast per multiply-add); each output's sum keeps its terms and their order.
        var r = 0;
        for (; r + 1 < s.OH; r += 2) RowPair<T, TCount>(image, planes, w, output, s, r);
        for (; r < s.OH; r++)
            for (var next = 0; next < s.OW; next += width)
            {
                // The last vector of a row that is not a whole number of vectors wide ends at the row's end and overlaps
                // the one before it: the overlapped columns are computed again, by the same operations in the same
                // order, so they are written with the values they already hold (Serves guarantees OW ≥ one vector).
                var col = Math.Min(next, s.OW - width);
                Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
                var wp = w;
                for (var c = 0; c < s.Channels; c++)
                    for (var i = 0; i < s.KH; i++)
                    {
                        var row = image + (nint)c * planes.PlaneStride + (nint)(r + i) * planes.RowStride + col;
                        for (var j = 0; j < s.KW; j++, wp++)
                        {
                            var x = Vector256.Load(row + j);
                            a0 = Fused.MultiplyAdd(Vector256.Create(wp[0]), x, a0);
                            if (TCount.N > 1) a1 = Fused.MultiplyAdd(Vector256.Create(wp[patch]), x, a1);
                            if (TCount.N > 2) a2 = Fused.MultiplyAdd(Vector256.Create(wp[2 * patch]), x, a2);
                            if (TCount.N > 3) a3 = Fused.MultiplyAdd(Vector256.Create(wp[3 * patch]), x, a3);
                            if (TCount.N > 4) a4 = Fused.MultiplyAdd(Vector256.Create(wp[4 * patch]), x, a4);
                            if (TCount.N > 5) a5 = Fused.MultiplyAdd(Vector256.Create(wp[5 * patch]), x, a5);
                        }
                    }
                var at = output + (nint)r * s.OW + col;
                a0.Store(at);
                if (TCount.N > 1) a1.Store(at + plane);
                if (TCount.N > 2) a2.Store(at + 2 * plane);
                if (TCount.N > 3) a3.Store(at + 3 * plane);
                if (TCount.N > 4) a4.Store(at + 4 * plane);
                if (TCount.N > 5) a5.Store(at + 5 * plane);
            }
    }

    /// <summary>Output rows <paramref name="r"/> and r + 1 of <see cref="Block{T, TCount}"/>'s planes, each weight loaded once for both.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowPair<T, TCount>(T* image, PaddedPlanes<T> planes, T* w, T* output, Shape s, int r)
        where T : unmanaged, IFloatingPointIeee754<T> where TCount : struct, ICount
    {
        var width = Vector256<T>.Count;
        int patch = s.Patch, plane = s.OH * s.OW, rowStride = planes.RowStride;
        for (var next = 0; next < s.OW; next += width)
        {
            var col = Math.Min(next, s.OW - width);
            Vector256<T> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
            Vector256<T> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default;
            var wp = w;
            for (var c = 0; c < s.Channels; c++)
                for (var i = 0; i < s.KH; i++)
                {
                    var row = image + (nint)c * planes.PlaneStride + (nint)(r + i) * rowStride + col;
                    for (var j = 0; j < s.KW; j++, wp++)
                    {
                        var x = Vector256.Load(row + j);
                        var y = Vector256.Load(row + rowStride + j);
                        var w0 = Vector256.Create(wp[0]);
                        a0 = Fused.MultiplyAdd(w0, x, a0);
                        b0 = Fused.MultiplyAdd(w0, y, b0);
                        if (TCount.N > 1) { var w1 = Vector256.Create(wp[patch]); a1 = Fused.MultiplyAdd(w1, x, a1); b1 = Fused.MultiplyAdd(w1, y, b1); }
                        if (TCount.N > 2) { var w2 = Vector256.Create(wp[2 * patch]); a2 = Fused.MultiplyAdd(w2, x, a2); b2 = Fused.MultiplyAdd(w2, y, b2); }
                        if (TCount.N > 3) { var w3 = Vector256.Create(wp[3 * patch]); a3 = Fused.MultiplyAdd(w3, x, a3); b3 = Fused.MultiplyAdd(w3, y, b3); }
                        if (TCount.N > 4) { var w4 = Vector256.Create(wp[4 * patch]); a4 = Fused.MultiplyAdd(w4, x, a4); b4 = Fused.MultiplyAdd(w4, y, b4); }
                        if (TCount.N > 5) { var w5 = Vector256.Create(wp[5 * patch]); a5 = Fused.MultiplyAdd(w5, x, a5); b5 = Fused.MultiplyAdd(w5, y, b5); }
                    }
                }
            var at = output + (nint)r * s.OW + col;
            var bt = at + s.OW;
            a0.Store(at); b0.Store(bt);
            if (TCount.N > 1) { a1.Store(at + plane); b1.Store(bt + plane); }
            if (TCount.N > 2) { a2.Store(at + 2 * plane); b2.Store(bt + 2 * plane); }
            if (TCount.N > 3) { a3.Store(at + 3 * plane); b3.Store(bt + 3 * plane); }
            if (TCount.N > 4) { a4.Store(at + 4 * plane); b4.Store(bt + 4 * plane); }
            if (TCount.N > 5) { a5.Store(at + 5 * plane); b5.Store(bt + 5 * plane); }
        }
    }

}
