using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Differentiable.Cpu;

/// <summary>
/// A register-tiled SIMD matrix product C (m×n) = op(A) · op(B), where op(A) is A (m×k, row-major) or, read in place,
/// the transpose of A stored k×m; likewise op(B) is B (k×n) or the transpose of B stored n×k. The backward's products
/// (xᵀ·dy, dy·Wᵀ) therefore need no scratch transpose. Loops as in GotoBLAS: for each block of NC columns and KC of the
/// inner dimension, B's block is packed once into NR-wide panels (contiguous: a panel read with the row stride of a
/// power-of-two width maps every row to a few L1 sets and thrashes); for each block of MC rows, A is read in place in
/// slabs of MR rows (stored m×k: rows k apart; stored k×m: each step's MR elements adjacent); a micro-kernel then keeps an MR×NR
/// tile of C in vector registers and streams the shared k, broadcasting one element of A per row and loading NR elements
/// of B per step (fused multiply-add). Ragged edges are packed zero-padded (the last panel of B, a last slab of fewer
/// than MR rows of A), so the kernel never reads past an operand. Large products are split across threads by column panels or row blocks,
/// each thread owning a disjoint block of C, so the result does not depend on the thread count.
/// </summary>
internal static unsafe class Gemm
{
    public const int MR = 6;
    private const int KC = 256;
    private const int MC = 96;

    /// <summary>Columns of B packed at once: KC×NC floats (256 KB) stay in L2 while every row block of A passes over them.</summary>
    private const int NC = 256;

    /// <summary>Products with at least this many multiply-adds are split across cores.</summary>
    private const long ParallelThreshold = 1L << 20;

    /// <summary>True when a vector kernel serves T on this machine.</summary>
    public static bool IsSupported<T>() where T : unmanaged =>
        (typeof(T) == typeof(float) || typeof(T) == typeof(double)) &&
        (Vector512.IsHardwareAccelerated || Vector256.IsHardwareAccelerated);

    /// <summary>
    /// C (m×n) = op(A) · op(B) on all cores for large products: op(A) is A (m×k) or, when <paramref name="transposeA"/>,
    /// Aᵀ for A stored k×m; op(B) is B (k×n) or, when <paramref name="transposeB"/>, Bᵀ for B stored n×k.
    /// </summary>
    public static void MatMul<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, bool transposeA = false, bool transposeB = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            c.Slice(0, m * n).Clear();
            return;
        }
        fixed (T* pa = a, pb = b, pc = c)
        {
            var product = new Product<T>(pa, pb, pc, m, k, n, transposeA, transposeB);
            if (Vector512.IsHardwareAccelerated) Run<T, Kernel512<T>>(product);
            else Run<T, Kernel256<T>>(product);
        }
    }

    /// <summary>
    /// C (m×n) = A · B, or C += A · B when <paramref name="accumulate"/>, on this thread only: for callers that already
    /// split their work across cores (the convolutions run one such product per image, images in parallel).
    /// </summary>
    public static void MatMulSerial<T>(T* a, T* b, T* c, int m, int k, int n, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) new Span<T>(c, m * n).Clear();
            return;
        }
        var product = new Product<T>(a, b, c, m, k, n, transposeA: false, transposeB: false);
        if (Vector512.IsHardwareAccelerated)
            Block<T, Kernel512<T>>(product, 0, (m + MR - 1) / MR, 0, (n + Kernel512<T>.NR - 1) / Kernel512<T>.NR, accumulate);
        else
            Block<T, Kernel256<T>>(product, 0, (m + MR - 1) / MR, 0, (n + Kernel256<T>.NR - 1) / Kernel256<T>.NR, accumulate);
    }

    /// <summary>The operands of one product: pointers, sizes, and whether A and B are stored transposed.</summary>
    private readonly struct Product<T>(T* a, T* b, T* c, int m, int k, int n, bool transposeA, bool transposeB) where T : unmanaged
    {
        public readonly T* A = a, B = b, C = c;
        public readonly int M = m, K = k, N = n;
        public readonly bool TransposeA = transposeA, TransposeB = transposeB;
    }

    private static void Run<T, TK>(Product<T> product)
        where T : unmanaged, IFloatingPointIeee754<T> where TK : IKernel<T>
    {
        var (m, k, n) = (product.M, product.K, product.N);
        var nr = TK.NR;
        var panels = (n + nr - 1) / nr;
        var rowBlocks = (m + MR - 1) / MR;
        var threads = CpuParallel.Threads;
        if (threads <= 1 || (long)m * n * k < ParallelThreshold || panels * rowBlocks < 2)
        {
            Block<T, TK>(product, 0, rowBlocks, 0, panels);
            return;
        }
        // Split by column panels and every thread reads all of A (m×k, in place); split by row blocks and every thread
        // packs all of B (k×n). Split the side whose operand is cheaper to go through twice, as long as it has a unit of
        // work for every thread.
        var byPanels = m > n && rowBlocks >= threads ? false : panels >= threads || panels >= rowBlocks;
        var units = byPanels ? panels : rowBlocks;
        var parts = Math.Min(threads, units);
        CpuParallel.For(parts, t =>
        {
            var lo = (int)((long)units * t / parts);
            var hi = (int)((long)units * (t + 1) / parts);
            if (byPanels) Block<T, TK>(product, 0, rowBlocks, lo, hi);
            else Block<T, TK>(product, lo, hi, 0, panels);
        });
    }

    /// <summary>Computes the C tiles with row blocks [rb0, rb1) (of MR rows) and column panels [p0, p1) (of NR columns).</summary>
    private static void Block<T, TK>(Product<T> product, int rb0, int rb1, int p0, int p1, bool addTo = false)
        where T : unmanaged, IFloatingPointIeee754<T> where TK : IKernel<T>
    {
        T* c = product.C;
        int m = product.M, k = product.K, n = product.N;
        var nr = TK.NR;
        // k in equal blocks of at most KC: 784 as 4 × 196, not 3 × 256 + 16 (a block of 16 costs a whole pass of tile
        // loads and stores for 2% of the work).
        var kcMax = (k + (k + KC - 1) / KC - 1) / ((k + KC - 1) / KC);
        var panelsPerBlock = Math.Max(1, NC / nr);
        // Packed panels start on a cache line: the kernel loads B a whole 64-byte vector at a time, and a pooled array's
        // start is only 8-byte aligned; a vector load that splits two lines takes two of the core's load slots.
        var pad = CacheLine / sizeof(T);
        var bufB = ArrayPool<T>.Shared.Rent(kcMax * nr * Math.Min(panelsPerBlock, p1 - p0) + pad);
        var bufA = ArrayPool<T>.Shared.Rent(MR * kcMax + pad);   // the one ragged slab a row block may have
        var bufC = ArrayPool<T>.Shared.Rent(MR * nr + pad);
        try
        {
            fixed (T* pinnedB = bufB, pinnedA = bufA, pinnedC = bufC)
            {
                T* packedB = AlignToLine(pinnedB), packedA = AlignToLine(pinnedA), tileC = AlignToLine(pinnedC);
                var rowEnd = Math.Min(m, rb1 * MR);
                for (var q0 = p0; q0 < p1; q0 += panelsPerBlock)
                {
                    var q1 = Math.Min(p1, q0 + panelsPerBlock);
                    for (var pk = 0; pk < k; pk += kcMax)
                    {
                        var kc = Math.Min(kcMax, k - pk);
                        var accumulate = pk > 0 || addTo;
                        PackB(product, pk, kc, q0, q1, nr, packedB);
                        for (var ic = rb0 * MR; ic < rowEnd; ic += MC)
                        {
                            var mc = Math.Min(MC, rowEnd - ic);
                            // A is read in place: stored m×k, a slab's six rows sit k apart; stored k×m (Aᵀ), its six
                            // elements of each step of k are adjacent and the steps m apart. Packing copied (or transposed)
                            // all of A once per product for no gain, since a slab streams through L1 either way: FlatNet's
                            // 1000×784·784×128 is 6–8% faster without the copy, its 128×1000·1000×128 weight gradient 16%
                            // without the transpose. Only a ragged last slab is packed, zero-padded to MR rows.
                            var whole = mc / MR * MR;
                            if (whole < mc) PackA(product, ic + whole, mc - whole, pk, kc, packedA);
                            for (var q = q0; q < q1; q++)
                            {
                                var j = q * nr;
                                var nj = Math.Min(nr, n - j);
                                var bp = packedB + (nint)(q - q0) * kc * nr;
                                for (var i = 0; i < mc; i += MR)
                                {
                                    var mi = Math.Min(MR, mc - i);
                                    var inPlace = mi == MR;
                                    var ap = !inPlace ? packedA
                                        : product.TransposeA ? product.A + (nint)pk * m + ic + i : product.A + (nint)(ic + i) * k + pk;
                                    var (rowStride, stepStride) = !inPlace ? (kc, 1) : product.TransposeA ? (1, m) : ((nint)k, 1);
                                    var cp = c + (nint)(ic + i) * n + j;
                                    if (mi == MR && nj == nr)
                                    {
                                        TK.Run(kc, ap, rowStride, stepStride, bp, nr, cp, n, accumulate);
                                        continue;
                                    }
                                    // A ragged tile (the last rows or columns of C): computed whole into a scratch tile, then
                                    // only its mi × nj corner is written, so nothing past C's edges is read or written.
                                    TK.Run(kc, ap, rowStride, stepStride, bp, nr, tileC, nr, false);
                                    for (var r = 0; r < mi; r++)
                                    {
                                        if (accumulate) Runs.Add(tileC + r * nr, cp + (nint)r * n, nj);
                                        else Runs.Copy(tileC + r * nr, cp + (nint)r * n, nj);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(bufC);
            ArrayPool<T>.Shared.Return(bufA);
            ArrayPool<T>.Shared.Return(bufB);
        }
    }

    private const int CacheLine = 64;

    private static T* AlignToLine<T>(T* p) where T : unmanaged => (T*)(((nint)p + CacheLine - 1) & ~(nint)(CacheLine - 1));

    /// <summary>
    /// op(B)[pk..pk+kc, panels q0..q1 of nr columns] into <paramref name="dst"/>, panel after panel, each as kc rows of nr
    /// contiguous elements, zeros past column n. B stored k×n is read row by row across all the panels, each row of B
    /// once and contiguously; read panel by panel, each row's nr elements sat a whole row of B apart (2 KB at n = 512).
    /// With the aligned buffers, SinNet's 100×512·512×512 went from 170 to 162 µs and 100×784·784×512 from 252 to 239
    /// (gemm-probe, both builds back to back on Zen 5).
    /// </summary>
    private static void PackB<T>(Product<T> product, int pk, int kc, int q0, int q1, int nr, T* dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (product.TransposeB)
        {
            for (var q = q0; q < q1; q++) PackTransposedB(product, pk, kc, q * nr, nr, dst + (nint)(q - q0) * kc * nr);
            return;
        }
        int n = product.N;
        var panelSize = (nint)kc * nr;
        for (var p = 0; p < kc; p++)
        {
            var src = product.B + (nint)(pk + p) * n;
            var row = dst + (nint)p * nr;
            for (var q = q0; q < q1; q++, row += panelSize)
            {
                var j = q * nr;
                var nj = Math.Min(nr, n - j);
                Runs.Copy(src + j, row, nj);
                Runs.Clear(row + nj, nr - nj);
            }
        }
    }

    /// <summary>
    /// op(B)[pk..pk+kc, j..j+nr] for B stored transposed (n×k) into <paramref name="dst"/> as kc rows of nr contiguous
    /// elements, zeros past column n: each column of the panel is a contiguous run of B, so the panel is a transpose.
    /// </summary>
    private static void PackTransposedB<T>(Product<T> product, int pk, int kc, int j, int nr, T* dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* b = product.B;
        int k = product.K, n = product.N;
        var nj = Math.Min(nr, n - j);
        // A transpose, as for A: float blocks of 8 columns × 8 steps of k through vector registers, the rest one by one.
        var (columns8, steps8) = (0, 0);
        if (typeof(T) == typeof(float) && Avx.IsSupported)
        {
            (columns8, steps8) = (nj / 8 * 8, kc / 8 * 8);
            for (var x = 0; x < columns8; x += 8)
                for (var p = 0; p < steps8; p += 8)
                    Transpose8x8((float*)b + (nint)(j + x) * k + pk + p, k, (float*)dst + (nint)p * nr + x, nr);
        }
        for (var x = 0; x < nr; x++)
        {
            if (x >= nj)
            {
                for (var p = 0; p < kc; p++) dst[(nint)p * nr + x] = T.Zero;
                continue;
            }
            var src = b + (nint)(j + x) * k + pk;
            for (var p = x < columns8 ? steps8 : 0; p < kc; p++) dst[(nint)p * nr + x] = src[p];
        }
    }

    /// <summary>
    /// op(A)[ic..ic+mc, pk..pk+kc] into <paramref name="dst"/> as rows of kc contiguous elements, zero-padded to a whole
    /// slab of MR rows: the ragged last slab of a row block, which the kernel cannot read in place.
    /// </summary>
    private static void PackA<T>(Product<T> product, int ic, int mc, int pk, int kc, T* dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T* a = product.A;
        int m = product.M, k = product.K;
        var rows = (mc + MR - 1) / MR * MR;
        if (!product.TransposeA)
        {
            for (var r = 0; r < mc; r++)
                Runs.Copy(a + (nint)(ic + r) * k + pk, dst + (nint)r * kc, kc);
        }
        else
        {
            // Aᵀ stored k×m: row p of the storage holds column p of op(A), contiguous over the rows wanted. Only a ragged
            // last slab (fewer than MR rows) is packed, so the transpose is a few elements per step of k.
            for (var p = 0; p < kc; p++)
            {
                var src = a + (nint)(pk + p) * m + ic;
                for (var r = 0; r < mc; r++) dst[(nint)r * kc + p] = src[r];
            }
        }
        for (var r = mc; r < rows; r++) new Span<T>(dst + (nint)r * kc, kc).Clear();
    }

    /// <summary>to[j·toStride + i] = from[i·fromStride + j] for an 8×8 block of floats: the AVX unpack/shuffle/permute transpose.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* from, int fromStride, float* to, int toStride)
    {
        var v0 = Avx.LoadVector256(from);
        var v1 = Avx.LoadVector256(from + fromStride);
        var v2 = Avx.LoadVector256(from + 2 * fromStride);
        var v3 = Avx.LoadVector256(from + 3 * fromStride);
        var v4 = Avx.LoadVector256(from + 4 * fromStride);
        var v5 = Avx.LoadVector256(from + 5 * fromStride);
        var v6 = Avx.LoadVector256(from + 6 * fromStride);
        var v7 = Avx.LoadVector256(from + 7 * fromStride);
        Vector256<float> t0 = Avx.UnpackLow(v0, v1), t1 = Avx.UnpackHigh(v0, v1), t2 = Avx.UnpackLow(v2, v3), t3 = Avx.UnpackHigh(v2, v3);
        Vector256<float> t4 = Avx.UnpackLow(v4, v5), t5 = Avx.UnpackHigh(v4, v5), t6 = Avx.UnpackLow(v6, v7), t7 = Avx.UnpackHigh(v6, v7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE), s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE), s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(to, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(to + toStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(to + 2 * toStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(to + 3 * toStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(to + 4 * toStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(to + 5 * toStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(to + 6 * toStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(to + 7 * toStride, Avx.Permute2x128(s3, s7, 0x31));
    }

    private interface IKernel<T> where T : unmanaged
    {
        static abstract int NR { get; }

        /// <summary>
        /// C[0..MR, 0..NR] (+)= A[0..MR, 0..kc] · B[0..kc, 0..NR], where A[r, p] is a[r·rowStride + p·stepStride]: rows of A
        /// stored m×k (stride k, 1), a packed slab (kc, 1), or columns of Aᵀ stored k×m (1, m).
        /// </summary>
        static abstract void Run(int kc, T* a, nint rowStride, nint stepStride, T* b, int ldb, T* c, int ldc, bool accumulate);
    }


    /// <summary>6 rows × 2 Vector512 columns: 12 accumulators of the 32 zmm registers.</summary>
    private readonly struct Kernel512<T> : IKernel<T> where T : unmanaged
    {
        public static int NR => 2 * Vector512<T>.Count;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run(int kc, T* a, nint rowStride, nint stepStride, T* b, int ldb, T* c, int ldc, bool accumulate)
        {
            var w = Vector512<T>.Count;
            Vector512<T> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
            if (accumulate)
            {
                c00 = Vector512.Load(c); c01 = Vector512.Load(c + w);
                c10 = Vector512.Load(c + ldc); c11 = Vector512.Load(c + ldc + w);
                c20 = Vector512.Load(c + 2 * ldc); c21 = Vector512.Load(c + 2 * ldc + w);
                c30 = Vector512.Load(c + 3 * ldc); c31 = Vector512.Load(c + 3 * ldc + w);
                c40 = Vector512.Load(c + 4 * ldc); c41 = Vector512.Load(c + 4 * ldc + w);
                c50 = Vector512.Load(c + 5 * ldc); c51 = Vector512.Load(c + 5 * ldc + w);
            }
            else
            {
                c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector512<T>.Zero;
            }
            nint r1 = rowStride, r2 = 2 * rowStride, r3 = 3 * rowStride, r4 = 4 * rowStride, r5 = 5 * rowStride;
            for (var p = 0; p < kc; p++)
            {
                var b0 = Vector512.Load(b);
                var b1 = Vector512.Load(b + w);
                b += ldb;
                var x = Vector512.Create(a[0]);
                c00 = Fused.MultiplyAdd(x, b0, c00); c01 = Fused.MultiplyAdd(x, b1, c01);
                x = Vector512.Create(a[r1]);
                c10 = Fused.MultiplyAdd(x, b0, c10); c11 = Fused.MultiplyAdd(x, b1, c11);
                x = Vector512.Create(a[r2]);
                c20 = Fused.MultiplyAdd(x, b0, c20); c21 = Fused.MultiplyAdd(x, b1, c21);
                x = Vector512.Create(a[r3]);
                c30 = Fused.MultiplyAdd(x, b0, c30); c31 = Fused.MultiplyAdd(x, b1, c31);
                x = Vector512.Create(a[r4]);
                c40 = Fused.MultiplyAdd(x, b0, c40); c41 = Fused.MultiplyAdd(x, b1, c41);
                x = Vector512.Create(a[r5]);
                a += stepStride;
                c50 = Fused.MultiplyAdd(x, b0, c50); c51 = Fused.MultiplyAdd(x, b1, c51);
            }
            c00.Store(c); c01.Store(c + w);
            c10.Store(c + ldc); c11.Store(c + ldc + w);
            c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + w);
            c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + w);
            c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + w);
            c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + w);
        }
    }

    /// <summary>6 rows × 2 Vector256 columns: 12 accumulators, fits the 16 ymm registers of AVX2.</summary>
    private readonly struct Kernel256<T> : IKernel<T> where T : unmanaged
    {
        public static int NR => 2 * Vector256<T>.Count;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run(int kc, T* a, nint rowStride, nint stepStride, T* b, int ldb, T* c, int ldc, bool accumulate)
        {
            var w = Vector256<T>.Count;
            Vector256<T> c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
            if (accumulate)
            {
                c00 = Vector256.Load(c); c01 = Vector256.Load(c + w);
                c10 = Vector256.Load(c + ldc); c11 = Vector256.Load(c + ldc + w);
                c20 = Vector256.Load(c + 2 * ldc); c21 = Vector256.Load(c + 2 * ldc + w);
                c30 = Vector256.Load(c + 3 * ldc); c31 = Vector256.Load(c + 3 * ldc + w);
                c40 = Vector256.Load(c + 4 * ldc); c41 = Vector256.Load(c + 4 * ldc + w);
                c50 = Vector256.Load(c + 5 * ldc); c51 = Vector256.Load(c + 5 * ldc + w);
            }
            else
            {
                c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = Vector256<T>.Zero;
            }
            nint r1 = rowStride, r2 = 2 * rowStride, r3 = 3 * rowStride, r4 = 4 * rowStride, r5 = 5 * rowStride;
            for (var p = 0; p < kc; p++)
            {
                var b0 = Vector256.Load(b);
                var b1 = Vector256.Load(b + w);
                b += ldb;
                var x = Vector256.Create(a[0]);
                c00 = Fused.MultiplyAdd(x, b0, c00); c01 = Fused.MultiplyAdd(x, b1, c01);
                x = Vector256.Create(a[r1]);
                c10 = Fused.MultiplyAdd(x, b0, c10); c11 = Fused.MultiplyAdd(x, b1, c11);
                x = Vector256.Create(a[r2]);
                c20 = Fused.MultiplyAdd(x, b0, c20); c21 = Fused.MultiplyAdd(x, b1, c21);
                x = Vector256.Create(a[r3]);
                c30 = Fused.MultiplyAdd(x, b0, c30); c31 = Fused.MultiplyAdd(x, b1, c31);
                x = Vector256.Create(a[r4]);
                c40 = Fused.MultiplyAdd(x, b0, c40); c41 = Fused.MultiplyAdd(x, b1, c41);
                x = Vector256.Create(a[r5]);
                a += stepStride;
                c50 = Fused.MultiplyAdd(x, b0, c50); c51 = Fused.MultiplyAdd(x, b1, c51);
            }
            c00.Store(c); c01.Store(c + w);
            c10.Store(c + ldc); c11.Store(c + ldc + w);
            c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + w);
            c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + w);
            c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + w);
            c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + w);
        }
    }
}
