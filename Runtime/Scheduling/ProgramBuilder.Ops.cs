namespace Differentiable.Scheduling;

/// <summary>
/// The ops generated device programs call. Fixed kernels live beside the method that launches them
/// (<c>Kernels/*.cs</c>), each with its typed argument struct; only <see cref="Map"/> and <see cref="MatMulThen"/>
/// launch kernels of the generated source.
/// </summary>
public sealed partial class ProgramBuilder
{
    /// <summary>
    /// A fused elementwise kernel: the output has the broadcast shape of <paramref name="inputs"/>; input k is read
    /// through <c>g.strides[k + 1]</c> (0 on broadcast dimensions). <paramref name="scalars"/> become <c>g.scalars</c>.
    /// The output is named after the kernel unless <paramref name="name"/> says otherwise (a kernel that computes the
    /// same expression for several variables is written once, under the first one's name).
    /// </summary>
    public DeviceTensor Map(string kernel, DeviceTensor[] inputs, float[]? scalars = null, string? name = null)
    {
        name ??= kernel;
        var shape = inputs.Select(i => i.Shape).Aggregate(Array.Empty<int>(), (s, t) => BroadcastShape(name, s, t, inputs));
        var output = NewTensor(name, shape, ElementKind.Float32);
        var g = Elementwise(output, inputs);
        SetScalars(ref g, name, scalars);
        Launch(kernel, output.Count, ref g, output, inputs);
        return output;
    }

    /// <summary>
    /// <paramref name="name"/> = a (M, K) · b (K, N), both read through their strides, so transposed views cost
    /// nothing: the runtime's <c>product</c> kernel, one block per 32×32 tile; when that gives too few blocks to fill
    /// a GPU, K is split and a second launch of the kernel adds the partial products.
    /// </summary>
    public DeviceTensor MatMul(string name, DeviceTensor a, DeviceTensor b)
    {
        var plan = PlanProduct(name, a, b);
        var output = NewTensor(name, plan.Shape, ElementKind.Float32);
        if (output.Count == 0) return output;
        LaunchProduct(UseRuntimeKernels(), "product", plan, output, a, b, Array.Empty<DeviceTensor>(), null);
        return output;
    }

    /// <summary>
    /// a · b with an elementwise epilogue over the product and <paramref name="leaves"/> (bias, activation, a gradient
    /// mask) as one generated kernel, <paramref name="kernel"/> of the current module (a wrapper of the prelude's
    /// <c>product_then</c>): it applies the epilogue as it stores. When K is split, or when the leaves broadcast the
    /// product to a larger output, the kernel first stores partial products, then a second launch of it adds them and
    /// applies the epilogue, one thread per output element. Leaves are pointers 3… in both launches, read through
    /// elementwise strides over the output. <paramref name="product"/> stands for the product where later steps read
    /// only its shape (it has no buffer of its own; its elements must not be read).
    /// </summary>
    public DeviceTensor MatMulThen(string kernel, DeviceTensor a, DeviceTensor b, DeviceTensor[] leaves, float[]? scalars, out DeviceTensor product)
    {
        var plan = PlanProduct(kernel, a, b);
        if (leaves.Length + 3 > KernelGeometry.MaxPointers)
            throw new InvalidOperationException($"{Name}: {kernel} reads {leaves.Length} tensors besides the product; an epilogue reads at most {KernelGeometry.MaxPointers - 3}.");
        var shape = leaves.Select(l => l.Shape).Aggregate(plan.Shape, (s, t) => BroadcastShape(kernel, s, t, leaves.Append(a).ToArray()));
        var output = NewTensor(kernel, shape, ElementKind.Float32);
        product = output.View(kernel + "_product", 0, plan.Shape, DeviceTensor.ContiguousStrides(plan.Shape));
        if (output.Count == 0) return output;
        LaunchProduct(CurrentModule, kernel, plan, output, a, b, leaves, scalars);
        return output;
    }

    /// <summary>
    /// The launches of a product kernel: the tiles, storing the output (epilogue applied) when there is one split and
    /// the output is shaped like the product, else partial products that a second launch (stage 1) adds.
    /// </summary>
    private void LaunchProduct(string module, string kernel, ProductPlan plan, DeviceTensor output, DeviceTensor a, DeviceTensor b, DeviceTensor[] leaves, float[]? scalars)
    {
        var finish = plan.Splits == 1 && output.Shape.SequenceEqual(plan.Shape);
        var arguments = new ProductArguments
        {
            M = plan.M, N = plan.N, K = plan.K,
            ARowStride = a.Strides[0], AColumnStride = a.Strides[1], BRowStride = b.Strides[0], BColumnStride = b.Strides[1],
            Splits = plan.Splits, KPerSplit = plan.PerSplit, Stage = 0, Finish = finish ? 1 : 0, ProductCount = plan.M * plan.N,
        };
        var g = Elementwise(output, Array.Empty<DeviceTensor>());
        SetScalars(ref g, kernel, scalars);
        for (var l = 0; l < leaves.Length; l++) SetStrides(ref g, 3 + l, BroadcastStrides(leaves[l]), leaves[l].Rank);
        var sum = g;
        KernelArguments.Set(ref g, arguments);
        var inputs = new[] { a, b }.Concat(leaves).ToArray();
        if (finish)
        {
            LaunchBlocks(module, kernel, output.Count, plan.Blocks, ref g, output, inputs);
            return;
        }
        var parts = NewTensor(output.Name + "_parts", plan.PartsShape, ElementKind.Float32);
        LaunchBlocks(module, kernel, output.Count, plan.Blocks, ref g, parts, inputs);
        // Stage 1 reads one product (of the splits) through pointer 1, broadcast to the output where it must be;
        // pointer 2 is unused, so the leaves stay at 3….
        var first = parts.View(parts.Name, 0, plan.Shape, DeviceTensor.ContiguousStrides(plan.Shape));
        SetStrides(ref sum, 1, BroadcastStrides(first), first.Rank);
        KernelArguments.Set(ref sum, arguments with { Stage = 1 });
        LaunchBlocks(module, kernel, output.Count, (output.Count + ThreadsPerBlock - 1) / ThreadsPerBlock, ref sum, output, new[] { parts, parts }.Concat(leaves).ToArray());
    }

    /// <summary>How a product a (M, K) · b (K, N) is launched: its shape, its 32×32 tiles, and how K is split.</summary>
    private readonly record struct ProductPlan(int M, int K, int N, int Tiles, int Splits, int PerSplit)
    {
        public int[] Shape => new[] { M, N };
        public int[] PartsShape => new[] { Splits, M, N };
        public long Blocks => (long)Tiles * Splits;
    }

    private ProductPlan PlanProduct(string kernel, DeviceTensor a, DeviceTensor b)
    {
        if (a.Rank != 2 || b.Rank != 2 || a.Shape[1] != b.Shape[0])
            throw new ShapeMismatchException($"{Name}: {kernel}: the product {a.Name} · {b.Name} cannot multiply {a.Name} of shape {a.ShapeText} by {b.Name} of shape {b.ShapeText}.");
        var (m, k, n) = (a.Shape[0], a.Shape[1], b.Shape[1]);
        var tiles = (m + MatMulTile - 1) / MatMulTile * ((n + MatMulTile - 1) / MatMulTile);
        var (splits, perSplit) = SplitK(tiles, k);
        return new ProductPlan(m, k, n, tiles, splits, perSplit);
    }

    private const int MatMulTile = 32, MatMulStep = 16;

    /// <summary>
    /// How many blocks share each tile's K: enough for about <see cref="TargetBlocks"/> blocks in all, with at least
    /// 128 values of K per block (a split costs a second launch that adds the partial products, which a shorter K does not win back),
    /// K per split a multiple of the kernel's 16-wide step.
    /// </summary>
    internal static (int Splits, int PerSplit) SplitK(int tiles, int k)
    {
        if (tiles == 0 || k == 0) return (1, MatMulStep);   // nothing to split: an empty product, or one of zeros
        var wanted = Math.Clamp(Math.Min(TargetBlocks / tiles, k / 128), 1, 16);
        var perSplit = ((k + wanted - 1) / wanted + MatMulStep - 1) / MatMulStep * MatMulStep;
        perSplit = Math.Max(perSplit, MatMulStep);
        return ((k + perSplit - 1) / perSplit, perSplit);
    }

    /// <summary>About two blocks per streaming multiprocessor of an H100 (132).</summary>
    private const int TargetBlocks = 256;

    /// <summary>
    /// Threads per output element of a reduction over <paramref name="reduced"/> values: a power of two giving each
    /// thread about 32 values, at most a block. Short reductions keep one thread each.
    /// </summary>
    internal static int GroupSize(long reduced)
    {
        var group = 1;
        while (group < ThreadsPerBlock && reduced / (group * 2) >= 32) group *= 2;
        return group;
    }

    /// <summary>The 2-D transpose as a view (swapped strides); other ranks as the CPU's Transpose: unchanged.</summary>
    public DeviceTensor Transpose(DeviceTensor x) =>
        x.Rank != 2 ? x : x.View(x.Name + "ᵀ", x.Offset, new[] { x.Shape[1], x.Shape[0] }, new[] { x.Strides[1], x.Strides[0] });

    /// <summary>Σ along <paramref name="axis"/> (all axes when null): per output element a group of threads (<see cref="GroupSize"/>) shares the reduced elements.</summary>
    public DeviceTensor Sum(string name, DeviceTensor x, int? axis, bool keepDims) => Reduce("sum", name, x, axis, keepDims);

    /// <summary>The mean along <paramref name="axis"/> (all axes when null).</summary>
    public DeviceTensor Mean(string name, DeviceTensor x, int? axis, bool keepDims) => Reduce("mean", name, x, axis, keepDims);

    /// <summary>log Σ exp along <paramref name="axis"/> (all axes when null), shifted by the maximum so nothing overflows.</summary>
    public DeviceTensor LogSumExp(string name, DeviceTensor x, int? axis, bool keepDims) => Reduce("logsumexp", name, x, axis, keepDims);

    private DeviceTensor Reduce(string kernel, string name, DeviceTensor x, int? axis, bool keepDims)
    {
        var reduced = new bool[x.Rank];
        if (axis is { } a) reduced[NormalizeAxis(name, x, a)] = true;
        else Array.Fill(reduced, true);
        var kept = Enumerable.Range(0, x.Rank).Where(d => !reduced[d]);
        var shape = keepDims ? x.Shape.Select((s, d) => reduced[d] ? 1 : s).ToArray() : kept.Select(d => x.Shape[d]).ToArray();
        return ReduceInto(kernel, name, x, reduced, shape);
    }

    /// <summary>The adjoint of a broadcast operand: <paramref name="x"/> summed over the axes <paramref name="like"/> was broadcast along; x itself when no axis was.</summary>
    public DeviceTensor SumTo(string name, DeviceTensor x, DeviceTensor like)
    {
        // Known only now that shapes are: most adjoints of a broadcast operand need no sum, and get no launch.
        if (x.Shape.SequenceEqual(like.Shape)) return x;
        var lead = x.Rank - like.Rank;
        if (lead < 0 || like.Shape.Where((s, d) => s != 1 && s != x.Shape[d + lead]).Any())
            throw new ShapeMismatchException($"{Name}: {name}: {x.Name} of shape {x.ShapeText} cannot be summed to the shape {like.ShapeText} of {like.Name}.");
        var reduced = x.Shape.Select((s, d) => d < lead || like.Shape[d - lead] == 1 && s != 1).ToArray();
        return ReduceInto("sum", name, x, reduced, like.Shape);
    }

    /// <summary>
    /// <paramref name="x"/>, the result of a reduction of <paramref name="like"/> along <paramref name="axis"/>, as a
    /// view shaped like <paramref name="like"/> that repeats it along the reduced axes (stride 0).
    /// </summary>
    public DeviceTensor Expand(DeviceTensor x, DeviceTensor like, int? axis, bool keepDims)
    {
        var strides = new int[like.Rank];
        if (axis is null)
        {
            if (x.Count != 1) throw new ShapeMismatchException($"{Name}: {x.Name} of shape {x.ShapeText} is not the full reduction of {like.Name} {like.ShapeText}.");
            return x.View(x.Name, x.Offset, like.Shape, strides);
        }
        var ax = NormalizeAxis(x.Name, like, axis.Value);
        for (int d = 0, source = 0; d < like.Rank; d++)
        {
            if (d == ax)
            {
                if (keepDims) source++;
                continue;
            }
            strides[d] = x.Strides[source++];
        }
        return x.View(x.Name, x.Offset, like.Shape, strides);
    }

    /// <summary>1/n for the mean of <paramref name="like"/> along <paramref name="axis"/> (all elements when null).</summary>
    public float MeanScale(DeviceTensor like, int? axis) =>
        1f / (axis is { } a ? like.Shape[NormalizeAxis(like.Name, like, a)] : like.Count);

    /// <summary>x with another shape of the same size: a view of a contiguous x, else a contiguous copy first.</summary>
    public DeviceTensor Reshape(DeviceTensor x, params int[] shape)
    {
        var resolved = ResolveShape(x, shape);
        var dense = Contiguous(x);
        return dense.View(dense.Name, dense.Offset, resolved, DeviceTensor.ContiguousStrides(resolved));
    }

    public DeviceTensor ReshapeLike(DeviceTensor x, DeviceTensor like) => Reshape(x, like.Shape);

    /// <summary>(N, ...) to (N, rest), as the CPU's Flatten.</summary>
    public DeviceTensor Flatten(DeviceTensor x) => Reshape(x, x.Shape[0], -1);

    /// <summary>The leading (or, <paramref name="fromEnd"/>, trailing) part of x along the axis, shaped like <paramref name="like"/>: a view.</summary>
    public DeviceTensor Slice(DeviceTensor x, DeviceTensor like, int axis, bool fromEnd)
    {
        var ax = NormalizeAxis(x.Name, x, axis);
        var start = fromEnd ? x.Shape[ax] - like.Shape[ax] : 0;
        return x.View(x.Name, x.Offset + (long)start * x.Strides[ax], like.Shape, x.Strides);
    }

    /// <summary>A tensor shaped like <paramref name="like"/> with every element <paramref name="value"/> (a constant elementwise node).</summary>
    public DeviceTensor Fill(string name, DeviceTensor like, float value)
    {
        var output = NewTensor(name, like.Shape, ElementKind.Float32);
        var g = Elementwise(output, Array.Empty<DeviceTensor>());
        g.Scalars[0] = value;
        LaunchRuntime("fill", output.Count, ref g, output);
        return output;
    }

    /// <summary>
    /// A stand-in of the shape of a · b, with no launch: for steps that read only the product's shape (a gradient summed
    /// back to it). Its elements must not be read.
    /// </summary>
    public DeviceTensor ProductShape(string name, DeviceTensor a, DeviceTensor b) => NewTensor(name, PlanProduct(name, a, b).Shape, ElementKind.Float32);

    /// <summary>
    /// One more term of an adjoint: <paramref name="term"/> when there is no sum yet, else sum + term (same shapes). The
    /// device programs of bodies with control flow add each statement's contribution as the tape replays.
    /// </summary>
    public DeviceTensor Accumulate(string name, DeviceTensor? sum, DeviceTensor term)
    {
        if (sum is null) return term;
        if (!sum.Shape.SequenceEqual(term.Shape))
            throw new ShapeMismatchException($"Device program {Name}: {name} adds a gradient of shape ({string.Join(", ", term.Shape)}) to one of shape ({string.Join(", ", sum.Shape)}).");
        var output = NewTensor(name, sum.Shape, ElementKind.Float32);
        var g = Elementwise(output, new[] { sum, term });
        LaunchRuntime("accumulate", output.Count, ref g, output, sum, term);
        return output;
    }

    /// <summary>The elements of a contiguous copy of x, in row-major order; x itself when it already is one.</summary>
    public DeviceTensor Contiguous(DeviceTensor x)
    {
        if (x.IsContiguous || x.Kind != ElementKind.Float32) return x;
        var output = NewTensor(x.Name, x.Shape, ElementKind.Float32);
        var g = Elementwise(output, new[] { x });
        LaunchRuntime("copy", output.Count, ref g, output, x);
        return output;
    }

    /// <summary>x[i, labels[i]] for x (n, C).</summary>
    public DeviceTensor Gather(string name, DeviceTensor x, DeviceTensor labels)
    {
        CheckLabels(name, x, labels);
        var output = NewTensor(name, new[] { x.Shape[0] }, ElementKind.Float32);
        var g = new KernelGeometry();
        KernelArguments.Set(ref g, new GatherArguments { Classes = x.Shape[1], RowStride = x.Strides[0], ColumnStride = x.Strides[1] });
        LaunchRuntime("gather", output.Count, ref g, output, x, labels);
        return output;
    }

    /// <summary>Zeros shaped like <paramref name="like"/> (n, C) with g[i] at [i, labels[i]].</summary>
    public DeviceTensor ScatterLabels(string name, DeviceTensor gradient, DeviceTensor labels, DeviceTensor like)
    {
        CheckLabels(name, like, labels);
        var output = NewTensor(name, like.Shape, ElementKind.Float32);
        var g = new KernelGeometry();
        KernelArguments.Set(ref g, new ScatterArguments { Classes = like.Shape[1], GradientStride = gradient.Strides[0] });
        LaunchRuntime("scatter_labels", output.Count, ref g, output, gradient, labels);
        return output;
    }

    /// <summary>a and b joined along the axis; elementwise geometry over the output.</summary>
    public DeviceTensor Concat(string kernel, DeviceTensor a, DeviceTensor b, int axis)
    {
        var ax = NormalizeAxis(kernel, a, axis);
        if (a.Rank != b.Rank || a.Shape.Where((s, d) => d != ax && s != b.Shape[d]).Any())
            throw new ShapeMismatchException($"{Name}: {kernel} = concat({a.Name}, {b.Name}): shapes {a.ShapeText} and {b.ShapeText} differ outside axis {axis}.");
        var shape = (int[])a.Shape.Clone();
        shape[ax] += b.Shape[ax];
        var output = NewTensor(kernel, shape, ElementKind.Float32);
        var g = new KernelGeometry();
        SetDims(ref g, shape);
        SetStrides(ref g, 1, a.Strides, a.Rank);
        SetStrides(ref g, 2, b.Strides, b.Rank);
        KernelArguments.Set(ref g, new ConcatArguments { Axis = ax + KernelGeometry.Rank - a.Rank, LeadingExtent = a.Shape[ax] });
        LaunchRuntime("concat", output.Count, ref g, output, a, b);
        return output;
    }

    private DeviceTensor ReduceInto(string kernel, string name, DeviceTensor x, bool[] reduced, int[] shape)
    {
        var output = NewTensor(name, shape, ElementKind.Float32);
        var g = new KernelGeometry();
        SetDims(ref g, x.Shape);
        SetStrides(ref g, 1, x.Strides, x.Rank);
        var pad = KernelGeometry.Rank - x.Rank;
        var mask = 0;
        long count = 1;
        for (var d = 0; d < x.Rank; d++)
            if (reduced[d])
            {
                mask |= 1 << (d + pad);
                count *= x.Shape[d];
            }
        var group = GroupSize(count);
        KernelArguments.Set(ref g, new ReductionArguments { ReducedMask = mask, ReducedCount = (int)count, Group = group });
        g.Scalars[0] = count == 0 ? 0f : 1f / count;
        LaunchRuntimeGroups(kernel, output.Count, group, ref g, output, x);
        return output;
    }

    /// <summary>Elementwise geometry: the output's dimensions and, per input, its strides right-aligned and 0 where broadcast.</summary>
    private static KernelGeometry Elementwise(DeviceTensor output, DeviceTensor[] inputs)
    {
        var g = new KernelGeometry();
        SetDims(ref g, output.Shape);
        SetStrides(ref g, 0, output.Strides, output.Rank);
        for (var k = 0; k < inputs.Length; k++) SetStrides(ref g, k + 1, BroadcastStrides(inputs[k]), inputs[k].Rank);
        return g;
    }

    /// <summary>An input's strides for elementwise reading: 0 along dimensions of extent 1, which broadcast.</summary>
    private static int[] BroadcastStrides(DeviceTensor input) => input.Strides.Select((s, d) => input.Shape[d] == 1 ? 0 : s).ToArray();

    private static void SetDims(ref KernelGeometry g, int[] shape)
    {
        var pad = KernelGeometry.Rank - shape.Length;
        for (var d = 0; d < KernelGeometry.Rank; d++) g.Dims[d] = d < pad ? 1 : shape[d - pad];
    }

    private static void SetStrides(ref KernelGeometry g, int pointer, int[] strides, int rank)
    {
        var pad = KernelGeometry.Rank - rank;
        for (var d = 0; d < KernelGeometry.Rank; d++) g.Strides[pointer * KernelGeometry.Rank + d] = d < pad ? 0 : strides[d - pad];
    }

    private static void SetScalars(ref KernelGeometry g, string kernel, float[]? scalars)
    {
        if (scalars is null) return;
        if (scalars.Length > KernelGeometry.MaxScalars) throw new InvalidOperationException($"{kernel}: at most {KernelGeometry.MaxScalars} run-time numbers per kernel.");
        for (var k = 0; k < scalars.Length; k++) g.Scalars[k] = scalars[k];
    }

    private int[] BroadcastShape(string kernel, int[] a, int[] b, DeviceTensor[] inputs)
    {
        var rank = Math.Max(a.Length, b.Length);
        var shape = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            var x = d - (rank - a.Length) >= 0 ? a[d - (rank - a.Length)] : 1;
            var y = d - (rank - b.Length) >= 0 ? b[d - (rank - b.Length)] : 1;
            if (x != y && x != 1 && y != 1)
                throw new ShapeMismatchException($"{Name}: {kernel}: the shapes of {string.Join(", ", inputs.Select(i => $"{i.Name} {i.ShapeText}"))} do not broadcast together.");
            shape[d] = x == 1 ? y : x;
        }
        return shape;
    }

    private int NormalizeAxis(string what, DeviceTensor x, int axis)
    {
        var ax = axis < 0 ? axis + x.Rank : axis;
        if (ax < 0 || ax >= x.Rank) throw new ShapeMismatchException($"{Name}: {what}: axis {axis} is out of range for {x.Name} of shape {x.ShapeText}.");
        return ax;
    }

    private int[] ResolveShape(DeviceTensor x, int[] shape)
    {
        var resolved = (int[])shape.Clone();
        var unknown = Array.IndexOf(resolved, -1);
        var known = resolved.Where(s => s != -1).Aggregate(1L, (a, b) => a * b);
        if (unknown >= 0 && known > 0) resolved[unknown] = (int)(x.Count / known);
        if (resolved.Aggregate(1L, (a, b) => a * b) != x.Count)
            throw new ShapeMismatchException($"{Name}: {x.Name} of shape {x.ShapeText} cannot be reshaped to ({string.Join(", ", shape)}).");
        return resolved;
    }

    private void CheckLabels(string kernel, DeviceTensor x, DeviceTensor labels)
    {
        if (x.Rank != 2 || labels.Rank != 1 || labels.Shape[0] != x.Shape[0])
            throw new ShapeMismatchException($"{Name}: {kernel}: {x.Name} must be (n, classes) with one label per row, but it has shape {x.ShapeText} and {labels.Name} has shape {labels.ShapeText}.");
    }
}
