using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Autodiff;
using Differentiable.Generator.Collections;
using Differentiable.Generator.IR;
using Differentiable.Generator.Rules;

using WalkStack = Differentiable.Generator.Collections.SegmentedList<(Differentiable.Generator.IR.Node Node, bool IsAdjoint, bool Expanded)>;

namespace Differentiable.Generator.Emit.Cuda;

/// <summary>
/// The forward and backward computation of a method as one pure graph, ready for the device: the backward
/// program's <c>+=</c> accumulations become sums, each adjoint reference is replaced by that sum, and the output's
/// adjoint is the seed (ones). Roots are the result and one gradient per differentiated leaf. Also decides which
/// nodes get a buffer: the rest are fused into the elementwise kernel that consumes them.
/// </summary>
internal sealed class DeviceGraph
{
    private readonly Gradient _gradient;
    private readonly GraphBuilder _b;
    // Per-node tables hold every node of the forward and backward graph: paged by node id, so a large graph allocates no
    // large-object-heap arrays (see LargeObjectHeap).
    private readonly NodeSet _forward;
    private readonly NodeMap<Node> _substituted = new();
    private readonly NodeMap<Node?> _adjoints = new();
    private readonly NodeMap<Node> _adjointTargets = new();
    /// <summary>Each target's contributions to its adjoint, in step order.</summary>
    private readonly NodeChains<Node> _contributions = new();
    private readonly NodeMap<int> _uses = new();
    private readonly NodeMap<int> _valueUses = new();
    private readonly NodeSet _materialized = new();
    private readonly Dictionary<Node, Node> _epilogues = new();
    // Sets by node id, not hash sets: asked about every node of the graph (which to materialize, which read).
    private readonly NodeSet _absorbed = new();
    private readonly NodeSet _gradientNodes;
    private readonly NodeSet _readWhole = new();
    /// <summary>The nodes that read each matrix product, in order.</summary>
    private readonly NodeMap<List<Node>> _consumers = new();

    /// <summary>
    /// <paramref name="seed"/>: the output's adjoint is this leaf (the incoming adjoint of one statement of a body with
    /// control flow) rather than ones, and the output itself is computed only where the gradients read it (a pullback).
    /// </summary>
    public DeviceGraph(Gradient gradient, Node? seed = null)
    {
        _seed = seed;
        _gradient = gradient;
        _b = gradient.Method.Builder;
        _forward = gradient.Method.ForwardSet;
        foreach (var step in gradient.Steps) _contributions.Add(step.Target, step.Contribution);

        Result = gradient.Method.Output;
        Gradients = gradient.Method.WrtLeaves.Select(leaf => (leaf, AdjointOf(leaf))).ToList();
        Order = Topology.Sort((seed is null ? new[] { Result } : new Node[0]).Concat(Gradients.Where(g => g.Adjoint is not null).Select(g => g.Adjoint!)));
        _gradientNodes = new NodeSet(Gradients.Where(g => g.Adjoint is not null).Select(g => g.Adjoint!));
        CountUses();
        foreach (var node in Order.Where(MustMaterialize)) _materialized.Add(node);
        LimitFusion();
        FindEpilogues();
    }

    public Node Result { get; }

    /// <summary>Per differentiated leaf, its gradient node (null when the result does not depend on it).</summary>
    public IReadOnlyList<(Node Leaf, Node? Adjoint)> Gradients { get; }

    /// <summary>Every node, inputs before the nodes that use them.</summary>
    public IReadOnlyList<Node> Order { get; }

    /// <summary>The forward node an adjoint node is the adjoint of (for names: d_h1); the first one, when it is several's.</summary>
    public bool TryGetAdjointTarget(Node adjoint, out Node target) => _adjointTargets.TryGetValue(adjoint, out target!);

    /// <summary>The first op the device cannot run, if any.</summary>
    public string? Unsupported =>
        Order.Select(n => Reason(n)).FirstOrDefault(r => r is not null);

    public bool IsMaterialized(Node n) => _materialized.Contains(n);

    /// <summary>
    /// Elementwise kernels that compute a matrix product themselves, as the epilogue of the product (bias and
    /// activation, a gradient mask), by the product they absorb: one launch instead of two, and the product never
    /// goes through memory.
    /// </summary>
    public IReadOnlyDictionary<Node, Node> Epilogues => _epilogues;

    /// <summary>A product computed inside the kernel of its one consumer (<see cref="Epilogues"/>): it has no kernel of its own.</summary>
    public bool IsAbsorbed(Node n) => _absorbed.Contains(n);

    public bool IsForward(Node n) => _forward.Contains(n);

    /// <summary>Inputs an elementwise node reads through a view or only for their shape: they need a buffer of their own.</summary>
    public static bool ReadsWholeInput(Node consumer, int index) =>
        DeviceLowering.Of(consumer).Kind != DeviceKind.Elementwise || ReadWhole(consumer);

    private static string? Reason(Node n) =>
        DeviceLowering.Of(n) is { Kind: DeviceKind.Unsupported } lowering ? DeviceLowering.Render(lowering.Reason!, n, "", _ => "") : null;

    /// <summary>
    /// The adjoint of <paramref name="n"/> as a pure node: the sum of its contributions, each with its adjoint references
    /// substituted. Adjoints refer to adjoints all the way back along the graph, so this works with an explicit stack
    /// (a body of thousands of statements must not overflow the compiler's), memoizing every node it finishes.
    /// </summary>
    private Node? AdjointOf(Node n)
    {
        if (_adjoints.TryGetValue(n, out var known)) return known;
        var stack = new WalkStack();  // the adjoint walk's: a node, whether its adjoint or its substitution is wanted, whether its prerequisites were pushed
        stack.Add((n, true, false));
        while (stack.Count > 0)
        {
            var (node, isAdjoint, expanded) = stack.Pop();
            if (isAdjoint ? _adjoints.ContainsKey(node) : _substituted.ContainsKey(node) || IsFixed(node)) continue;
            if (!expanded)
            {
                // Pushes what is missing, in the order of its contributions or inputs (no iterator, filter or list per visit), above
                // the node marked expanded: when the node is on top again, all of that is known (a DAG: nothing it waits for
                // waits for it), so its prerequisites are not looked up a second time.
                stack.Add((node, isAdjoint, true));
                if (PushMissing(stack, node, isAdjoint)) continue;
                stack.Pop();
            }
            if (isAdjoint)
            {
                var sum = _adjoints[node] = SumOfContributions(node);
                if (sum is not null) _adjointTargets.TryAdd(sum, node);
            }
            else _substituted[node] = node.Op == Op.AdjointRef
                ? _adjoints[node[0]] ?? _b.Constant(0)
                : _b.Make(node.Op, node.Attributes, SubstitutedInputs(node));
        }
        return _adjoints[n];
    }

    /// <summary>
    /// Pushes each prerequisite not yet known: what must be known before a node's adjoint (its contributions,
    /// substituted) or its substitution (its inputs, or the adjoint it refers to). True when it pushed any.
    /// </summary>
    private bool PushMissing(WalkStack stack, Node node, bool isAdjoint)
    {
        var pushed = false;
        if (isAdjoint)
        {
            if (IsSeeded(node)) return false;
            foreach (var contribution in _contributions.Of(node)) pushed |= PushSubstitution(stack, contribution);
        }
        else if (node.Op == Op.AdjointRef)
        {
            if (!_adjoints.ContainsKey(node[0]))
            {
                stack.Add((node[0], true, false));
                pushed = true;
            }
        }
        else
            foreach (var input in node.Inputs) pushed |= PushSubstitution(stack, input);
        return pushed;
    }

    private bool PushSubstitution(WalkStack stack, Node node)
    {
        if (_substituted.ContainsKey(node) || IsFixed(node)) return false;
        stack.Add((node, false, false));
        return true;
    }

    /// <summary>The result's adjoint is the seed, not a sum of contributions.</summary>
    private bool IsSeeded(Node n) => n == _gradient.Method.Output && _gradient.NodesWithAdjoint.Contains(n);

    private readonly Node? _seed;

    private Node? SumOfContributions(Node n)
    {
        if (IsSeeded(n)) return _seed ?? _b.Make(Op.Seed, n);
        Node? sum = null;
        foreach (var contribution in _contributions.Of(n))
        {
            var term = Substituted(contribution);
            sum = sum is null ? term : _b.Add(sum, term);
        }
        return sum;
    }

    /// <summary>Forward nodes and leaves other than adjoint references stay as they are.</summary>
    private bool IsFixed(Node n) => _forward.Contains(n) || n.IsLeaf && n.Op != Op.AdjointRef;

    private Node Substituted(Node n) => IsFixed(n) ? n : _substituted[n];

    /// <summary>The node's inputs, substituted: an array filled in place (no delegate and iterator per node of the backward graph).</summary>
    private Node[] SubstitutedInputs(Node node)
    {
        var inputs = new Node[node.Inputs.Length];
        for (var i = 0; i < inputs.Length; i++) inputs[i] = Substituted(node.Inputs[i]);
        return inputs;
    }

    private void CountUses()
    {
        foreach (var node in Order)
            for (var index = 0; index < node.Inputs.Length; index++)
            {
                var input = node.Inputs[index];
                _uses[input] = _uses.TryGetValue(input, out var k) ? k + 1 : 1;
                // Consumers are asked only of products (may an epilogue absorb one?): a list per node of a long
                // elementwise body was a tenth of the device planner's allocations.
                if (DeviceLowering.Of(input).ProductOperands is not null)
                {
                    if (!_consumers.TryGetValue(input, out var consumers)) _consumers[input] = consumers = new List<Node>();
                    if (consumers.Count == 0 || consumers[consumers.Count - 1] != node) consumers.Add(node);
                }
                if (ReadsWholeInput(node, index)) _readWhole.Add(input);
                if (!ReadsOnlyShape(node, index)) _valueUses[input] = _valueUses.TryGetValue(input, out var v) ? v + 1 : 1;
            }
    }

    /// <summary>Inputs an op reads only for their shape (the tensor to sum back to, to expand or reshape like).</summary>
    private static bool ReadsOnlyShape(Node consumer, int index) => DeviceLowering.Of(consumer).ShapeOnlyInput == index;

    /// <summary>Whether some op reads <paramref name="n"/> for its shape alone.</summary>
    /// <summary>Whether some op reads the elements of <paramref name="n"/> (not only its shape), or it is the result or a gradient.</summary>
    public bool HasValueUses(Node n) => _valueUses.ContainsKey(n) || n == Result && _seed is null || _gradientNodes.Contains(n);

    public bool HasShapeOnlyUses(Node n) => _uses.TryGetValue(n, out var all) && all > (_valueUses.TryGetValue(n, out var values) ? values : 0);

    /// <summary>
    /// A product can be absorbed by the elementwise kernel that reads it when that kernel is the only one to read its
    /// values (others may read its shape: the builder gives them a stand-in of the product's shape), reads it element
    /// for element (not through an expansion), and it is no result or gradient of its own.
    /// </summary>
    private void FindEpilogues()
    {
        // Without a product there is nothing to absorb: no kernel need be gathered (a long elementwise body has thousands).
        if (!Order.Any(n => DeviceLowering.Of(n).ProductOperands is not null)) return;
        var position = new NodeMap<int>();
        for (var k = 0; k < Order.Count; k++) position[Order[k]] = k;
        foreach (var node in Order.Where(n => _materialized.Contains(n) && DeviceLowering.Of(n).Kind == DeviceKind.Elementwise))
        {
            var kernel = Fuse(node);
            // Readers of the product's shape must come after the node: they read the stand-in its call declares.
            var product = kernel.Direct.FirstOrDefault(p =>
                DeviceLowering.Of(p).ProductOperands is not null && _valueUses.TryGetValue(p, out var uses) && uses == 1
                && p != Result && !_gradientNodes.Contains(p) && !_absorbed.Contains(p)
                && _consumers[p].All(c => position[c] >= position[node] || kernel.Inside.Contains(c)));
            // The product kernel takes the epilogue's inputs after its own three pointers.
            if (product is null || kernel.Loads.Count - 1 > MaxEpilogueInputs) continue;
            _epilogues[node] = product;
            _absorbed.Add(product);
        }
    }

    /// <summary>Pointers a kernel has besides out, a and b (KernelGeometry.MaxPointers − 3).</summary>
    private const int MaxEpilogueInputs = 5;

    /// <summary>
    /// What the kernel of an elementwise node computes and reads: the nodes fused into it, the buffers it reads
    /// element for element (in the order its expression reads them), and every buffer it reads, expansions included
    /// (as the emitter counts its pointers).
    /// </summary>
    private sealed class FusedKernel
    {
        public HashSet<Node> Inside { get; } = new();
        public List<Node> Direct { get; } = new();
        public HashSet<Node> Loads { get; } = new();
    }

    private FusedKernel Fuse(Node top)
    {
        var kernel = new FusedKernel();
        Visit(top, isTop: true);
        return kernel;

        void Visit(Node n, bool isTop)
        {
            if (!isTop && (_materialized.Contains(n) || DeviceLowering.Of(n).Kind == DeviceKind.External))
            {
                if (kernel.Loads.Add(n)) kernel.Direct.Add(n);
                return;
            }
            if (DeviceLowering.Of(n).Kind != DeviceKind.Elementwise) return;
            kernel.Inside.Add(n);
            if (ReadWhole(n))
            {
                kernel.Loads.Add(n);   // read whole, through a view: one pointer, not an element-for-element read
                return;
            }
            foreach (var input in n.Inputs) Visit(input, isTop: false);
        }
    }

    private bool MustMaterialize(Node n)
    {
        var kind = DeviceLowering.Of(n).Kind;
        if (kind is DeviceKind.External or DeviceKind.Scalar) return false;
        if (kind != DeviceKind.Elementwise) return true;
        if (n == Result || _gradientNodes.Contains(n)) return true;
        if (_uses.TryGetValue(n, out var uses) && uses > 1) return true;
        return _readWhole.Contains(n);
    }

    /// <summary>
    /// What one kernel can take: <see cref="Scheduling"/> kernels get at most 8 pointers (the output and 7 inputs) and 8
    /// run-time numbers; and a fused expression is rendered (and named in comments) recursively, so its depth is
    /// bounded too. Nodes are visited inputs first; a node whose fused expression would exceed a limit gets its
    /// largest fused input materialized (a kernel of its own) until it fits.
    /// </summary>
    private void LimitFusion()
    {
        var footprints = new NodeMap<Footprint>();
        foreach (var node in Order)
        {
            if (DeviceLowering.Of(node).Kind != DeviceKind.Elementwise) continue;
            while (true)
            {
                var (depth, first) = MeasureFootprint(node, footprints);
                var (loads, scalars) = (_footprintLoads, _footprintScalars);
                var fits = loads.Count <= MaxFusedLoads && scalars.Count <= MaxFusedScalars && depth <= MaxFusedDepth;
                var largest = fits ? null : node.Inputs
                    .Where(i => DeviceLowering.Of(i).Kind == DeviceKind.Elementwise && !_materialized.Contains(i) && !ReadWhole(i))
                    .OrderByDescending(i => footprints[i].Loads + footprints[i].Scalars + footprints[i].Depth).FirstOrDefault();
                if (largest is null)
                {
                    // Only a fused node's footprint is read again (by its consumer's): a materialized one is a load.
                    if (!_materialized.Contains(node))
                        footprints[node] = first is { } shared ? shared.With(loads, scalars, depth) : new Footprint(Footprint.Copy(loads), Footprint.Copy(scalars), depth);
                    break;
                }
                _materialized.Add(largest);
            }
        }
    }

    private const int MaxFusedLoads = 7;
    private const int MaxFusedScalars = 8;
    private const int MaxFusedDepth = 24;

    /// <summary>The buffers, run-time numbers and depth of an elementwise node's kernel, were it the kernel's root.</summary>
    /// <remarks>
    /// Small arrays, not sets: a kernel is cut at a few loads and scalars, so they stay short, and every elementwise node of
    /// a large body gets a footprint. A struct holding exact-length arrays, built in the planner's two scratch lists: a
    /// footprint object with a growing list per node was 7% of the objects a 1,000-statement body's run allocated.
    /// </remarks>
    private readonly struct Footprint(Node[] loads, string[] scalars, int depth)
    {
        public int Loads => loads.Length;
        public int Scalars => scalars.Length;
        public int Depth => depth;

        public void AddTo(List<Node> allLoads, List<string> allScalars)
        {
            foreach (var n in loads) AddOnce(allLoads, n);
            foreach (var text in scalars) AddOnce(allScalars, text);
        }

        /// <summary>
        /// A footprint of these loads and scalars: this one's arrays when they hold just that (a chain of unary ops fuses
        /// the loads of its start, which its every node would otherwise copy), else new ones.
        /// </summary>
        public Footprint With(List<Node> allLoads, List<string> allScalars, int newDepth) =>
            new(Same(loads, allLoads) ? loads : Copy(allLoads), Same(scalars, allScalars) ? scalars : Copy(allScalars), newDepth);

        private static bool Same<T>(T[] array, List<T> list)
        {
            if (array.Length != list.Count) return false;
            for (var i = 0; i < array.Length; i++) if (!Equals(array[i], list[i])) return false;
            return true;
        }

        public static T[] Copy<T>(List<T> list) => list.Count == 0 ? System.Array.Empty<T>() : list.ToArray();
    }

    private static void AddOnce<T>(List<T> list, T item)
    {
        if (!list.Contains(item)) list.Add(item);
    }

    /// <summary>Seed and expansions read their input whole, through a view: one pointer, never fused further.</summary>
    private static bool ReadWhole(Node n) => DeviceLowering.Of(n).ReadsWhole;

    private readonly List<Node> _footprintLoads = new();
    private readonly List<string> _footprintScalars = new();

    /// <summary>
    /// Fills the two scratch lists with the loads and scalars of an elementwise node's kernel, were it the kernel's root;
    /// returns the kernel's depth and the footprint of the first fused input it includes (whose arrays it may share).
    /// </summary>
    private (int Depth, Footprint? First) MeasureFootprint(Node node, NodeMap<Footprint> footprints)
    {
        var (loads, scalars) = (_footprintLoads, _footprintScalars);
        loads.Clear();
        scalars.Clear();
        var depth = 1;
        Footprint? first = null;
        void Own(Node n)
        {
            AddOnce(loads, n);
            if (DeviceLowering.Of(n).Scale is not null) AddOnce(scalars, "scale " + n.Id);
        }
        if (ReadWhole(node)) Own(node);
        else
            foreach (var input in node.Inputs)
            {
                if (_materialized.Contains(input) || DeviceLowering.Of(input).Kind is DeviceKind.External or DeviceKind.View or DeviceKind.Kernel or DeviceKind.Unsupported) AddOnce(loads, input);
                else if (input.Op == Op.ScalarRef) AddOnce(scalars, input.Attributes.Text!);
                else if (DeviceLowering.Of(input).Kind != DeviceKind.Elementwise) continue;
                else if (ReadWhole(input)) Own(input);
                else
                {
                    var inner = footprints[input];
                    first ??= inner;
                    inner.AddTo(loads, scalars);
                    depth = System.Math.Max(depth, inner.Depth + 1);
                }
            }
        return (depth, first);
    }
}
