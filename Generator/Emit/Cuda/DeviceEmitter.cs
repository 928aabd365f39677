using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Differentiable.Generator.Autodiff;
using Differentiable.Generator.Collections;
using Differentiable.Generator.IR;
using Differentiable.Generator.Parsing;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Emit.Cuda;

/// <summary>
/// Writes the device half of one [Differentiable] method: <c>{Method}CudaSource</c>, one CUDA kernel per fused
/// elementwise node (and per product with an elementwise epilogue), named after the C# variable it computes, and
/// <c>{Method}DeviceProgram(ProgramBuilder p)</c>, which records every node in execution order for concrete shapes.
/// What each op does on the device comes from its rule-table row (<see cref="DeviceLowering"/>): fused expressions,
/// views, and the builder calls of the runtime's fixed kernels, which are not in the generated source at all.
/// </summary>
internal sealed partial class DeviceEmitter
{
    private const string GeneratedCode = GeneratedMembers.Attribute;

    /// <summary>
    /// Names a kernel or a local must not take: C and CUDA words, the builder, and what the runtime's prelude
    /// (<c>KernelPrelude.Source</c>) declares — a test reads the prelude and checks that this set covers it.
    /// </summary>
    internal static readonly HashSet<string> CudaReserved = new()
    {
        "p", "g", "i", "out", "value",
        "Geometry", "arguments_of", "at", "ProductArguments", "TileProduct", "tile_product", "product_then", "min", "max",
        "int", "float", "double", "long", "short", "char", "void", "const", "return", "if", "else", "for", "while", "do", "auto", "struct", "static",
        "extern", "register", "signed", "unsigned", "switch", "case", "default", "break", "continue", "goto", "sizeof", "typedef", "union", "volatile",
        "inline", "template", "typename", "namespace", "class", "new", "delete", "this", "true", "false", "bool", "main",
        "expf", "logf", "sqrtf", "fabsf", "sinf", "cosf", "tanhf", "fmaxf", "fminf", "powf", "isnan", "INFINITY", "NAN",
    };

    private readonly Gradient _gradient;
    private readonly MethodEmitter _csharp;
    private readonly MethodSpec _spec;
    private readonly DeviceGraph _graph;
    private readonly NodeMap<string> _names = new();
    private readonly SourceWriter _cuda;
    /// <summary>Where the builder calls go: the file itself once <see cref="WriteProgram"/> opens the program's body, a buffer for <see cref="WriteInline"/>.</summary>
    private SourceWriter _program = new();

    /// <summary>Inline mode (<see cref="WriteInline"/>): the driver's operand for each leaf, and the names it shares with the driver.</summary>
    private readonly System.Func<Node, (string Name, string? Declaration)>? _leafOperand;
    private readonly NameTable? _sharedNames;

    /// <param name="graph">The device's graph of <paramref name="gradient"/>, when it was built before the C# emitter named the nodes.</param>
    public DeviceEmitter(Gradient gradient, MethodEmitter csharp, DeviceGraph? graph = null)
    {
        _gradient = gradient;
        _csharp = csharp;
        _spec = gradient.Method.Spec;
        _graph = graph ?? new DeviceGraph(gradient);
        _cuda = new SourceWriter();
    }

    /// <summary>
    /// For one statement of a body with control flow, written inline in the driver that records the program
    /// (<see cref="ControlFlowEmitter"/>): its kernels go into the driver's <paramref name="cuda"/> source, its buffers
    /// take names from the driver's <paramref name="names"/>, and each leaf is the driver's operand for it (a variable, or
    /// one declared here: <c>var layer_W = p.Parameter($"Layers.{i}.W")</c>).
    /// </summary>
    public DeviceEmitter(Gradient gradient, MethodEmitter csharp, NameTable names, SourceWriter cuda, System.Func<Node, (string Name, string? Declaration)> leafOperand,
        Node? seed = null)
    {
        _gradient = gradient;
        _csharp = csharp;
        _spec = gradient.Method.Spec;
        _graph = new DeviceGraph(gradient, seed);
        _cuda = cuda;
        _sharedNames = names;
        _leafOperand = leafOperand;
    }

    /// <summary>What <see cref="WriteInline"/> wrote: the builder calls, the value's operand (null for a pullback), and each differentiated leaf's gradient (null: zeros).</summary>
    public sealed record InlineProgram(string Lines, string? Result, IReadOnlyList<(Node Leaf, string? Gradient)> Gradients);

    /// <summary>The statement's builder calls (null when an op has no device lowering: <see cref="UnsupportedReason"/>).</summary>
    public InlineProgram? WriteInline()
    {
        if (_graph.Unsupported is not null) return null;
        NameNodes();
        foreach (var leaf in Leaves())
            if (_leafOperand!(leaf).Declaration is { } declaration) _program.Line($"var {_names[leaf]} = {declaration};");
        foreach (var node in _graph.Order)
            if (_graph.IsMaterialized(node)) Emit(node);
        return new InlineProgram(_program.ToString().TrimEnd('\n'), _names.TryGetValue(_graph.Result, out var result) ? result : null,
            _graph.Gradients.Select(g => (g.Leaf, g.Adjoint is null ? null : Operand(g.Adjoint))).ToList());
    }

    public string? UnsupportedReason => _graph.Unsupported;

    public string SourceName => _spec.Name + "CudaSource";

    public string ProgramName => _spec.Name + "DeviceProgram";

    /// <summary>Writes both members (true), or a comment saying why the method has no device program (false).</summary>
    public bool Write(SourceWriter w)
    {
        if (_graph.Unsupported is { } reason)
        {
            w.Line($"// {_spec.Name} has no device program: {reason}.");
            return false;
        }
        // Numbers the method takes become the program's arguments, after the builder 'p' (which they must not shadow).
        if (_spec.Arguments.FirstOrDefault(a => a.Kind is ArgumentKind.Scalar or ArgumentKind.Int && a.Name == "p") is { } shadowing)
        {
            w.Line($"// {_spec.Name} has no device program: its argument '{shadowing.Name}' has the name of the program's builder; rename it.");
            return false;
        }
        NameNodes();
        // The program first, straight into the file; the kernels it launches are collected as it goes and follow it (the
        // source is a few dozen kernels where the program has a step per node: the short one is the one held back).
        WriteProgram(w);
        w.Line();
        w.Line($"/// <summary>The CUDA kernels of <see cref=\"{ProgramName}\"/>, one per step (a step that computes what an earlier one does launches its kernel), named after the variables of <see cref=\"{_spec.Name}WithGradients\"/>; compiled at run time by NVRTC.</summary>");
        w.Line(GeneratedCode);
        w.StartLine($"public const string {SourceName} = global::Differentiable.Scheduling.KernelPrelude.Source + @\"\n").AppendVerbatim(_cuda.Range()).Append("\";\n");
        return true;
    }

    private void WriteProgram(SourceWriter w)
    {
        w.Line("/// <summary>");
        w.Line($"/// Records <see cref=\"{_spec.Name}WithGradients\"/> as a device program for the shapes <paramref name=\"p\"/> was given: the");
        w.Line($"/// kernels of <see cref=\"{SourceName}\"/> in execution order, the value of {_spec.Name} and the gradient of its sum with respect to");
        w.Line($"/// {string.Join(", ", _graph.Gradients.Select(g => LeafKey(g.Leaf)))}. Numbers the body reads from fields are read now, once.");
        w.Line("/// </summary>");
        w.Line(GeneratedCode);
        var numbers = _spec.Arguments.Where(a => a.Kind is ArgumentKind.Scalar or ArgumentKind.Int).Select(a => $", {a.TypeName} {a.Name}");
        w.Open($"public {(_spec.IsStatic ? "static " : "")}void {ProgramName}(global::Differentiable.Scheduling.ProgramBuilder p{string.Concat(numbers)})");
        w.Line($"p.UseSource(\"{_spec.Class.Name}.{_spec.Name}\", {SourceName});");
        foreach (var leaf in Leaves())
            w.Line($"var {_names[leaf]} = {LeafCall(leaf)};");
        _program = w;
        foreach (var node in _graph.Order)
            if (_graph.IsMaterialized(node)) Emit(node);
        w.Line($"p.Result({_names[_graph.Result]});");
        foreach (var (leaf, adjoint) in _graph.Gradients)
            w.Line($"p.Gradient(\"{LeafKey(leaf)}\", {(adjoint is null ? $"p.Zeros(\"d_{_names[leaf]}\", {_names[leaf]})" : Operand(adjoint))});");
        w.Close();
    }

    /// <summary>The program's inputs: every leaf the graph reads, then differentiated leaves it does not read (their gradient is zeros shaped like them).</summary>
    private IEnumerable<Node> Leaves()
    {
        var read = _graph.Order.Where(n => DeviceLowering.Of(n).Kind == DeviceKind.External).ToList();
        var unread = _graph.Gradients.Select(g => g.Leaf).Except(read);
        return read.Concat(unread);
    }

    private string LeafCall(Node leaf)
    {
        var key = LeafKey(leaf);
        if (leaf.Op == Op.Parameter) return $"p.Parameter(\"{key}\")";
        return _spec.Arguments.Any(a => a.Name == key && a.Kind == ArgumentKind.Labels) ? $"p.Labels(\"{key}\")" : $"p.Input(\"{key}\")";
    }

    private static string LeafKey(Node leaf) => leaf.Attributes.Text!.Replace("global::", "");

    private void NameNodes()
    {
        // Members the program reads at run time (numbers, and window sizes such as Pool.Kernel): no local may shadow them.
        var scalarWords = _graph.Order.Where(n => n.Op == Op.ScalarRef).Select(n => n.Attributes.Text!)
            .Concat(_graph.Order.Where(n => n.Attributes.Window.Kernel is not null).SelectMany(n => new[] { n.Attributes.Window.Kernel, n.Attributes.Window.Stride, n.Attributes.Window.Padding }))
            .SelectMany(text => Regex.Matches(text, "[A-Za-z_][A-Za-z0-9_]*").Cast<Match>().Select(m => m.Value));
        var table = _sharedNames ?? new NameTable(scalarWords.Concat(new[] { SourceName, ProgramName }), CudaReserved);
        foreach (var leaf in Leaves())
            _names[leaf] = _leafOperand is null ? table.Claim(LeafKey(leaf)) : _leafOperand(leaf).Name;

        var owner = new NodeMap<string>();
        for (var k = _graph.Order.Count - 1; k >= 0; k--)
        {
            var node = _graph.Order[k];
            if (node.IsLeaf) continue;
            // Unnamed backward nodes take the name of the nearest named node they feed, plus their op: d_W_add, d_W_add2, ...
            // (the root, never the accumulated name, so a long chain does not grow names d_W_add_add_add...).
            // A node's own name is made only when it gets a buffer: most nodes of a long body are fused, and only pass on their root.
            string root;
            var owned = false;
            if (_graph.TryGetAdjointTarget(node, out var target)) root = "d_" + _csharp.NameOf(target);
            else if (_graph.IsForward(node)) root = _csharp.NameOf(node);
            else if (owner.TryGetValue(node, out var o)) (root, owned) = (o, true);
            else root = OpName(node);
            if (_graph.IsMaterialized(node)) _names[node] = table.Claim(owned ? root + "_" + OpName(node) : root);
            foreach (var input in node.Inputs)
                if (!owner.ContainsKey(input)) owner[input] = root;
        }
    }

    private static string OpName(Node n) => RuleTable.For(n.Op).NamePart;

    /// <summary>A materialized node or leaf as an operand of a builder call.</summary>
    private string Operand(Node n) => _names[n];

    private void Emit(Node node)
    {
        if (_graph.IsAbsorbed(node)) return;   // the kernel of its one consumer computes it
        var name = _names[node];
        // The node's math, shown as "name = math" in comments: written in pieces, not concatenated once per node.
        var math = Math(node, top: true);
        var lowering = DeviceLowering.Of(node);
        if (lowering.Kind == DeviceKind.Elementwise)
        {
            if (_graph.Epilogues.TryGetValue(node, out var product)) EmitProductWithEpilogue(node, product, name, math);
            else EmitMap(node, name, math);
            return;
        }
        // A product read only for its shape (a pullback sums a gradient back to it): a stand-in of that shape, no launch.
        if (lowering.ProductOperands is { } operands && !_graph.HasValueUses(node))
        {
            _program.Line($"var {name} = p.ProductShape(\"{name}\", {DeviceLowering.Render(operands, node, name, Operand)}); // only its shape is read");
            return;
        }
        // Views and the runtime's kernels: one builder call, from the op's row.
        if (lowering.Kind == DeviceKind.Kernel) Comment(_program, name, math);
        _program.Line($"var {name} = {DeviceLowering.Render(lowering.Call!, node, name, Operand)};");
    }

    /// <summary>A CUDA float literal that is also a C# one: 1.0f, (-1.0f), 2.5E-3f.</summary>
    private static readonly Regex ConstantExpression = new(@"^\(?-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?f\)?$");

    /// <summary>
    /// One fused elementwise kernel: the node's expression down to materialized inputs, each read through its strides. A
    /// kernel that computes the same expression of its inputs as one already written (a body that repeats a statement;
    /// the ReLU masks of two layers) is not written again: its launch names the first (fewer kernels for NVRTC to compile).
    /// </summary>
    private void EmitMap(Node node, string name, string math)
    {
        var map = _positionalMap ??= new MapKernel(this);
        map.Reset();
        _expression.Clear();
        map.Append(node, top: true);
        if (map.Leaves.Count == 1 && map.Scalars.Count == 0 && !_expression.Contains(MapKernel.PlaceholderStart)
            && _expression.ToString() is var constant && ConstantExpression.IsMatch(constant))
        {
            // A constant (the seed of the backward pass, −1 for a negated loss): the runtime's fill, no kernel of its own.
            Comment(_program, name, math);
            _program.Line($"var {name} = p.Fill(\"{name}\", {map.Leaves[0].Operand}, {constant});");
            return;
        }
        // Looked up while still in the buffer: most nodes of a large body compute a kernel already written.
        var written = _kernelsByExpression.TryGet(_expression, map.Leaves.Count, out var kernel);
        if (!written)
        {
            kernel = name;
            var positional = _expression.ToString();
            _kernelsByExpression.Add(positional, map.Leaves.Count, name);
            map.NameParameters();
            // Written piece by piece, not formatted into lines first: a large body has thousands of these kernels.
            _cuda.Line();
            Comment(_cuda, name, math);
            _cuda.StartLine("extern \"C\" __global__ void ").Append(name).Append("(const Geometry g, float* __restrict__ out");
            foreach (var leaf in map.Leaves) _cuda.Append(", const float* __restrict__ ").Append(leaf.Parameter);
            _cuda.Append(")\n");
            _cuda.Line("{");
            _cuda.Line("    const int i = blockIdx.x * blockDim.x + threadIdx.x;");
            _cuda.StartLine("    if (i < g.count) out[i] = ");
            map.WriteNamed(_cuda, positional);
            _cuda.Append(";\n");
            _cuda.Line("}");
        }
        _program.StartLine("// ").Append(name).Append(" = ").Append(math);
        if (written) _program.Append("   (").Append(kernel).Append("'s kernel: the same expression)");
        _program.Append("\n");
        _program.StartLine("var ").Append(name).Append(" = p.Map(\"").Append(kernel).Append("\", new[] { ");
        for (var k = 0; k < map.Leaves.Count; k++) _program.Append(k == 0 ? "" : ", ").Append(map.Leaves[k].Operand);
        _program.Append(" }");
        if (map.Scalars.Count > 0) _program.Append(", new float[] { ").Append(string.Join(", ", map.Scalars)).Append(" }");
        if (written) _program.Append(", name: \"").Append(name).Append("\"");
        _program.Append(");\n");
    }

    /// <summary>Kernel names by what they compute (their expression with positional inputs, and how many they read).</summary>
    private readonly KernelsByExpression _kernelsByExpression = new();

    /// <summary>
    /// A matrix product and the elementwise node that consumes it as one kernel: a wrapper of the prelude's
    /// <c>product_then</c> whose lambda is the node's expression of the product's value (named after the product)
    /// and the node's other inputs, pointers 3, 4, ... of the kernel.
    /// </summary>
    private void EmitProductWithEpilogue(Node node, Node product, string name, string math)
    {
        var productName = _names[product];
        var map = new MapKernel(this, product, new[] { "a", "b", productName });
        var expression = map.Render(node, top: true);
        var parameters = string.Concat(map.Leaves.Select(l => $", const float* __restrict__ {l.Parameter}"));
        var productMath = $"{productName} = {Math(product, top: true)}";
        _cuda.Line();
        _cuda.Line("// " + productMath);
        _cuda.Line($"// {name} = {math}   (the product's epilogue: both in one kernel)");
        _cuda.Line($"extern \"C\" __global__ void {name}(const Geometry g, float* __restrict__ out, const float* __restrict__ a, const float* __restrict__ b{parameters})");
        _cuda.Line("{");
        _cuda.Line($"    product_then(g, out, a, b, [&](float {productName}, int i) {{ return {expression}; }});");
        _cuda.Line("}");
        var operands = DeviceLowering.Render(DeviceLowering.Of(product).ProductOperands!, product, productName, Operand);
        var scalars = map.Scalars.Count == 0 ? "null" : $"new float[] {{ {string.Join(", ", map.Scalars)} }}";
        // Later steps that read only the product's shape get a stand-in of that shape.
        var stand = _graph.HasShapeOnlyUses(product) ? "var " + productName : "_";
        _program.Line("// " + productMath);
        Comment(_program, name, math);
        _program.Line($"var {name} = p.MatMulThen(\"{name}\", {operands}, new global::Differentiable.Scheduling.DeviceTensor[] {{{(map.Leaves.Count == 0 ? "" : " " + string.Join(", ", map.Leaves.Select(l => l.Operand)))} }}, {scalars}, out {stand});");
    }

    /// <summary>The comment line <c>// name = math</c>.</summary>
    private static void Comment(SourceWriter w, string name, string math) => w.StartLine("// ").Append(name).Append(" = ").Append(math).Append("\n");

    /// <summary>The math of a node for comments: materialized inputs by name, fused ones expanded.</summary>
    private string Math(Node n, bool top = false) =>
        top ? MathNotation.Of(n, _nameOfBuffer ??= NameOfBuffer) : MathNotation.Operand(n, _nameOfBuffer ??= NameOfBuffer);

    /// <summary><see cref="NameOfBuffer"/> as a delegate made once (a method group passed on allocates one per call).</summary>
    private System.Func<Node, string?>? _nameOfBuffer;

    private string? NameOfBuffer(Node n) => _names.TryGetValue(n, out var name) ? name : null;

    /// <summary>
    /// A constant as a CUDA float literal, formatted once per value: a body's constants repeat in every kernel, and
    /// float formatting measured as most of the device emitter's time on a 1,000-statement body.
    /// </summary>
    private string FloatLiteral(double value)
    {
        // Keyed by the bits: 0.0 and -0.0 are equal doubles with different literals.
        var bits = System.BitConverter.DoubleToInt64Bits(value);
        if (_floatLiterals.TryGetValue(bits, out var known)) return known;
        string literal;
        if (double.IsNaN(value)) literal = "NAN";
        else if (double.IsInfinity(value)) literal = value > 0 ? "INFINITY" : "(-INFINITY)";
        else
        {
            var text = ((float)value).ToString("R", CultureInfo.InvariantCulture);
            if (text.IndexOf('.') < 0 && text.IndexOf('E') < 0 && text.IndexOf('e') < 0) text += ".0";
            literal = value < 0 ? "(" + text + "f)" : text + "f";
        }
        _floatLiterals[bits] = literal;
        return literal;
    }

    private readonly Dictionary<long, string> _floatLiterals = new();
}
