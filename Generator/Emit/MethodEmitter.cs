using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Differentiable.Generator.Autodiff;
using Differentiable.Generator.Collections;
using Differentiable.Generator.IR;
using Differentiable.Generator.Parsing;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Emit;

/// <summary>
/// Writes <c>{Method}WithGradients</c>: the forward statements named after the user's variables, then one
/// backward statement per rule application (<c>d_x += ...</c>) under a comment with the rule in math notation.
/// A node gets its own statement when the user named it, when it is used more than once, or when backward code
/// reads it; any other node is written inline where it is used.
/// </summary>
internal sealed partial class MethodEmitter
{
    private readonly Gradient _gradient;
    private readonly MethodSpec _spec;
    // Per-node tables hold every node of a method's graph: paged by node id, so a large graph allocates no large-object-heap arrays.
    // The graph's names and math, from here to _adjointMath, are shared with a restricted emitter (Restricted).
    private readonly SegmentedList<Node> _forward;
    private readonly NodeSet _forwardSet;
    private readonly NodeMap<int> _uses;
    private readonly NodeSet _readByBackward;
    private readonly NodeMap<string> _variables;
    private readonly NodeMap<string> _display;
    private readonly NodeMap<string> _adjoints;
    private readonly NodeMap<Node[]> _backwardNodes;
    private readonly NodeMap<string> _math;
    private readonly ShardedDictionary<BackwardStep, string> _adjointMath;
    private readonly NodeSet _emitted = new();
    private readonly NameTable _names;
    private readonly HashSet<string> _reserved;

    /// <param name="names">
    /// Where this emitter takes its names: its own table by default; the one the statements of a body with control flow
    /// share (<see cref="ControlFlowEmitter"/>), whose locals live in one method and must all differ.
    /// </param>
    public MethodEmitter(Gradient gradient, HashSet<string> reservedNames, NameTable? names = null)
    {
        _gradient = gradient;
        _reserved = reservedNames;
        _spec = gradient.Method.Spec;
        (_forward, _forwardSet) = (gradient.Method.ForwardOrder, gradient.Method.ForwardSet);
        (_uses, _readByBackward, _variables, _display, _adjoints) = (new(), new(), new(), new(), new());
        // Steps by identity: each is made once (a restricted gradient keeps its steps), and a record's member-wise hash and
        // Equals were most of the inspection's lookups of their math.
        (_backwardNodes, _math, _adjointMath) = (new(), new(), new(ByReference<BackwardStep>.Instance));
        _names = names ?? OwnNames();
        CountUses();
        NameNodes();
        NameProperties(GradientsClass);
    }

    /// <summary>
    /// The emitter of <paramref name="restricted"/>, this emitter's gradient restricted to fewer leaves
    /// (<see cref="ReverseMode.Restrict"/>: the same nodes and steps, fewer of them): it takes this emitter's names and math
    /// rather than counting and naming the graph again, so its documentation, device program and inspection name every
    /// node as the code this emitter writes does. Its own locals come from a table of its own.
    /// </summary>
    public MethodEmitter Restricted(Gradient restricted) => new(this, restricted);

    private MethodEmitter(MethodEmitter whole, Gradient restricted)
    {
        _gradient = restricted;
        _reserved = whole._reserved;
        _spec = whole._spec;
        (_forward, _forwardSet) = (whole._forward, whole._forwardSet);
        (_uses, _readByBackward, _variables, _display, _adjoints) = (whole._uses, whole._readByBackward, whole._variables, whole._display, whole._adjoints);
        (_backwardNodes, _math, _adjointMath) = (whole._backwardNodes, whole._math, whole._adjointMath);
        _names = OwnNames();
        NameProperties(GradientsClass);
    }

    /// <summary>A table of its own for the method's locals: the arguments and the seed are taken.</summary>
    private NameTable OwnNames() => new(_spec.Arguments.Select(a => a.Name).Concat(new[] { SeedName }), _reserved);

    public string GradientsClass => _spec.Name + "Gradients";

    public string MethodName => _spec.Name;

    /// <summary>Property names of the gradients returned, by leaf: unique, and never a name the gradients class already has.</summary>
    private readonly Dictionary<Node, string> _properties = new();

    public string SeedName => _spec.Arguments.Any(a => a.Name == "seed") ? "seed_" : "seed";

    /// <summary>The gradients returned, in order: (property name, leaf).</summary>
    public IReadOnlyList<(string Property, Node Leaf)> Outputs =>
        _gradient.Method.WrtLeaves.Select(l => (_properties[l], l)).ToList();

    /// <summary>
    /// Names the gradients' properties: the leaf's path with '_' for '.', made unique, never <c>All</c> (IGradients has
    /// it) or the class's own name; or exactly <paramref name="fixedNames"/> (a pullback's, which its callers read, unique already).
    /// </summary>
    public void NameProperties(string owner, System.Func<Node, string>? fixedNames = null)
    {
        _properties.Clear();
        var table = new HashSet<string> { "All", owner };
        foreach (var leaf in _gradient.Method.WrtLeaves)
        {
            if (fixedNames is not null)
            {
                _properties[leaf] = fixedNames(leaf);
                continue;
            }
            var wanted = Model.ParameterPath.PropertyName(leaf.Attributes.Text!);
            var name = wanted;
            for (var k = 2; !table.Add(name); k++) name = wanted + k;
            _properties[leaf] = name;
        }
    }

    /// <summary>The backward-only nodes a contribution computes, inputs first; each step's list is walked once and kept (three passes read it).</summary>
    /// <remarks>
    /// A method has a step per rule application (thousands in a long body), so the walk reuses one stack and one table of
    /// marks across steps (a node is seen in this walk when its mark is the walk's number) instead of a fresh set each time.
    /// Same order as <see cref="Topology.Sort"/> descending into backward nodes only: depth-first, inputs in order. An array
    /// of its exact length (none for most steps, whose contribution is a node of the forward graph or an adjoint), built in
    /// one scratch list: a list per step, walked behind an interface, was three objects per step.
    /// </remarks>
    private Node[] BackwardNodes(Node root)
    {
        if (_backwardNodes.TryGetValue(root, out var known)) return known;
        var nodes = _walkNodes;
        nodes.Clear();
        var walk = ++_walkNumber;
        _walkMarks[root] = walk;
        _walkStack.Add((root, 0));
        while (_walkStack.Count > 0)
        {
            var (node, next) = _walkStack.Pop();
            var descend = node.Op != Op.AdjointRef && !_forwardSet.Contains(node);
            if (descend && next < node.Inputs.Length)
            {
                _walkStack.Add((node, next + 1));
                var input = node.Inputs[next];
                if (!_walkMarks.TryGetValue(input, out var mark) || mark != walk)
                {
                    _walkMarks[input] = walk;
                    _walkStack.Add((input, 0));
                }
            }
            else if (descend && !node.IsLeaf) nodes.Add(node);
        }
        var found = nodes.Count == 0 ? System.Array.Empty<Node>() : nodes.ToArray();
        _backwardNodes[root] = found;
        return found;
    }

    private readonly List<Node> _walkNodes = new();
    private readonly SegmentedList<(Node Node, int Next)> _walkStack = new();
    private readonly NodeMap<int> _walkMarks = new();
    private int _walkNumber;

    private void CountUses()
    {
        void Use(Node n) => _uses[n] = _uses.TryGetValue(n, out var k) ? k + 1 : 1;
        foreach (var node in _forward)
            for (var i = 0; i < node.Inputs.Length; i++)
                if (IsFirstOccurrence(node.Inputs, i)) Use(node.Inputs[i]);
        var backward = new NodeSet();
        foreach (var step in _gradient.Steps)
            foreach (var node in BackwardNodes(step.Contribution))
            {
                if (!backward.Add(node) || node.Op == Op.AdjointRef) continue;
                for (var i = 0; i < node.Inputs.Length; i++)
                {
                    if (!IsFirstOccurrence(node.Inputs, i)) continue;
                    var input = node.Inputs[i];
                    Use(input);
                    if (_forwardSet.Contains(input)) _readByBackward.Add(input);
                }
            }
        foreach (var step in _gradient.Steps)
        {
            Use(step.Contribution);
            if (_forwardSet.Contains(step.Contribution)) _readByBackward.Add(step.Contribution);
        }
    }

    /// <summary>Whether input <paramref name="i"/> is not an earlier input again (a node reading x twice uses it once); inputs are few, so no set.</summary>
    private static bool IsFirstOccurrence(System.Collections.Immutable.ImmutableArray<Node> inputs, int i)
    {
        for (var j = 0; j < i; j++) if (inputs[j] == inputs[i]) return false;
        return true;
    }

    private int Uses(Node n) => _uses.TryGetValue(n, out var k) ? k : 0;

    private bool HasStatement(Node n) =>
        !n.IsLeaf && (_forwardSet.Contains(n)
            ? n.PreferredName is not null || n == _gradient.Method.Output || Uses(n) > 1 || _readByBackward.Contains(n)
            : Uses(n) > 1);

    private void NameNodes()
    {
        foreach (var node in _forward.Where(n => n.PreferredName is not null && HasStatement(n)))
            _variables[node] = _names.Claim(node.PreferredName!);

        // Unnamed nodes take the name of the nearest named node that consumes them: h1 = relu(h1_add).
        var owner = new NodeMap<string>();
        for (var i = _forward.Count - 1; i >= 0; i--)
        {
            var node = _forward[i];
            if (node.IsLeaf) continue;
            if (!_variables.TryGetValue(node, out var name))
            {
                var wanted = owner.TryGetValue(node, out var o) ? o + "_" + OpName(node) : OpName(node);   // one string, or none
                if (HasStatement(node)) _variables[node] = name = _names.Claim(wanted);
                else name = wanted;
            }
            _display[node] = name;
            var inputOwner = node.PreferredName ?? (owner.TryGetValue(node, out var o2) ? o2 : name);
            foreach (var input in node.Inputs)
                if (!owner.ContainsKey(input)) owner[input] = inputOwner;
        }

        foreach (var node in _forward.Where(_gradient.NodesWithAdjoint.Contains))
            _adjoints[node] = _names.Claim("d_" + DisplayName(node));

        foreach (var step in _gradient.Steps)
            foreach (var node in BackwardNodes(step.Contribution))
                if (HasStatement(node) && !_variables.ContainsKey(node))
                    _variables[node] = _names.Claim(DisplayName(step.Source) + "_" + OpName(node));
    }

    private static string OpName(Node n) => n.Op switch
    {
        Op.CustomCall => Renderings.CustomMethodName(n, 0).ToLowerInvariant(),
        Op.CustomBackward => "backward",
        Op.TupleItem => "item",
        _ => RuleTable.For(n.Op).NamePart,
    };

    private string DisplayName(Node n) => n.Op switch
    {
        // The parameters of a list's elements (reached through a call of a method that loops over them): Layers.W, one per element.
        Op.Parameter when Model.ParameterPath.IsList(n.Attributes.Text!) => n.Attributes.Text!.Replace("." + Model.ParameterPath.Each, ""),
        Op.Input or Op.Parameter or Op.ConstantTensor => n.Attributes.Text!.Replace("global::", "").Replace("@", ""),
        _ => _display.TryGetValue(n, out var name) ? name : OpName(n),
    };

    private string AdjointName(Node n) => _adjoints[n];

    /// <summary>Writes <c>{Method}WithGradients</c>: the value and the gradients of the declared parameters and [Wrt] arguments.</summary>
    public void Write(SourceWriter w)
    {
        new DocumentationWriter(this, _gradient).Write(w);
        w.Line(GeneratedCode);
        w.Open($"public {(_spec.IsStatic ? "static " : "")}(Tensor Value, {GradientsClass} Gradients) {_spec.Name}WithGradients({Signature(withSeed: true)})");
        WriteForward(w);
        w.Line();
        WriteBackward(w);
        w.Line();
        w.Line($"return ({ResultExpression}, new {GradientsClass} {{ {GradientList()} }});");
        w.Close();
    }

    /// <summary>
    /// Writes <c>{Method}WithGradients</c> as a call of the forward-with-pullback <paramref name="vjp"/> that differentiates
    /// the same leaves (written once, for callers and for this): its pullback applied to the seed, its gradients renamed.
    /// </summary>
    public void WriteThroughVjp(SourceWriter w, string vjp, System.Func<Node, string> callGradientNames)
    {
        new DocumentationWriter(this, _gradient).Write(w);
        w.Line(GeneratedCode);
        w.Open($"public {(_spec.IsStatic ? "static " : "")}(Tensor Value, {GradientsClass} Gradients) {_spec.Name}WithGradients({Signature(withSeed: true)})");
        w.Line($"// The forward and backward are {vjp}'s, which [Differentiable] methods that call {_spec.Name} run too.");
        var value = _names.Claim("value");
        var pullback = _names.Claim("pullback");
        var gradients = _names.Claim("gradients");
        w.Line($"var ({value}, {pullback}) = {vjp}({string.Join(", ", _spec.Arguments.Select(a => a.Name))});");
        w.Line($"var {gradients} = {pullback}({SeedName});");
        w.Line($"return ({value}, new {GradientsClass} {{ {string.Join(", ", Outputs.Select(o => $"{o.Property} = {gradients}.{callGradientNames(o.Leaf)}"))} }});");
        w.Close();
    }

    /// <summary>
    /// Writes a forward-with-pullback (JAX's <c>vjp</c>), what calls of this method from other [Differentiable] methods
    /// run: the forward now, and a pullback that maps ∂L/∂result to the gradients <paramref name="gradientsClass"/> holds.
    /// </summary>
    public void WriteVjp(SourceWriter w, string name, string gradientsClass, string? marker = null)
    {
        var outputs = string.Join(", ", Outputs.Select(o => DocumentationWriter.Escape(NameOf(o.Leaf))));
        w.Line("/// <summary>");
        w.Line($"/// <c>{_spec.Name}({string.Join(", ", _spec.Arguments.Select(a => a.Name))})</c> and its pullback, for [Differentiable] methods that call it: the pullback");
        w.Line($"/// maps ∂L/∂result to the gradients of {(outputs.Length == 0 ? "nothing" : outputs)}, with what the forward kept (calls are calls, not copies).");
        w.Line("/// </summary>");
        w.Line(GeneratedCode);
        if (marker is not null) w.Line(marker);
        w.Open($"public {(_spec.IsStatic ? "static " : "")}(Tensor Value, global::System.Func<Tensor?, {gradientsClass}> Pullback) {name}({Signature(withSeed: false)})");
        WriteVjpBody(w, gradientsClass, argumentSwitch: null);
        w.Close();
    }

    /// <summary>
    /// Writes the one forward-with-pullback behind both ends a public method exports (<see cref="WriteVjpEntry"/>): every
    /// tensor argument's gradient, or, with its switch off, the parameters' alone, the pullback then skipping the steps
    /// that only the arguments' gradients need. Two near-identical members would double the generated code.
    /// </summary>
    public void WriteVjpCore(SourceWriter w, string name, string gradientsClass)
    {
        var argumentSwitch = ArgumentSwitch;
        w.Line("/// <summary>");
        w.Line($"/// <c>{_spec.Name}({string.Join(", ", _spec.Arguments.Select(a => a.Name))})</c> and its pullback, for the two entries above: the pullback maps ∂L/∂result to the");
        w.Line($"/// gradients of the parameters and, when <paramref name=\"{argumentSwitch}\"/>, of the tensor arguments (calls are calls, not copies).");
        w.Line("/// </summary>");
        w.Line(GeneratedCode);
        w.Open($"private {(_spec.IsStatic ? "static " : "")}(Tensor Value, global::System.Func<Tensor?, {gradientsClass}> Pullback) {name}({Signature(withSeed: false)}, bool {argumentSwitch})");
        WriteVjpBody(w, gradientsClass, argumentSwitch);
        w.Close();
    }

    /// <summary>One end of <see cref="WriteVjpCore"/>: every tensor argument's gradient (<paramref name="arguments"/>) or none.</summary>
    public void WriteVjpEntry(SourceWriter w, string name, string core, bool arguments, string gradientsClass, string? marker)
    {
        string Names(bool ofArguments) =>
            string.Join(", ", Outputs.Where(o => (o.Leaf.Op == Op.Input) == ofArguments).Select(o => DocumentationWriter.Escape(NameOf(o.Leaf))));
        var parameters = Names(ofArguments: false);
        var of = parameters.Length == 0 ? "" : parameters + (arguments ? ", " : "");
        w.Line("/// <summary>");
        w.Line(arguments
            ? $"/// <c>{_spec.Name}</c> and its pullback to the gradients of {of}{Names(ofArguments: true)}, for [Differentiable] methods that call it."
            : $"/// <c>{_spec.Name}</c> and its pullback to the gradients of {(parameters.Length == 0 ? "no parameter" : parameters)} alone (the arguments' are null), for [Differentiable] methods that call it.");
        w.Line("/// </summary>");
        w.Line(GeneratedCode);
        if (marker is not null) w.Line(marker);
        var call = $"{core}({string.Join(", ", _spec.Arguments.Select(a => a.Name))}, {ArgumentSwitch}: {(arguments ? "true" : "false")})";
        w.Line($"public {(_spec.IsStatic ? "static " : "")}(Tensor Value, global::System.Func<Tensor?, {gradientsClass}> Pullback) {name}({Signature(withSeed: false)}) => {call};");
    }

    /// <summary>The core's switch (<see cref="WriteVjpCore"/>), named once: its entries and its parameter agree.</summary>
    private string ArgumentSwitch => _argumentSwitch ??= _names.Claim("argumentGradients");

    private string? _argumentSwitch;

    private void WriteVjpBody(SourceWriter w, string gradientsClass, string? argumentSwitch)
    {
        WriteForward(w);
        w.Line();
        w.Open($"return ({ResultExpression}, {SeedName} =>");
        WriteBackward(w, argumentSwitch);
        w.Line($"return new {gradientsClass} {{ {GradientList(argumentSwitch)} }};");
        w.Close("});");
    }

    private const string GeneratedCode = GeneratedMembers.Attribute;

    private string Signature(bool withSeed) =>
        string.Join(", ", _spec.Arguments.Select(a => a.CSharpType + " " + a.Name).Concat(withSeed ? new[] { "Tensor? " + SeedName + " = null" } : new string[0]));

    private void WriteForward(SourceWriter w)
    {
        w.Line("// Forward");
        string? origin = null;
        foreach (var node in _forward.Where(HasStatement))
        {
            if (node.Origin is not null && node.Origin != origin) w.StartLine("// ").Append(node.Origin).Append("\n");
            origin = node.Origin;
            AppendCall(w.StartLine("var ").Append(_variables[node]).Append(" = "), node).Append(";\n");
            _emitted.Add(node);
        }
    }

    /// <param name="argumentSwitch">
    /// When given, the name of a bool: the steps only the tensor arguments' gradients need (their target depends on no
    /// parameter) come last, under <c>if (switch)</c>. Valid: a step whose target depends on a parameter reads the adjoint
    /// of a consumer of that target, which depends on the parameter too, so no step outside reads an adjoint inside.
    /// </param>
    private void WriteBackward(SourceWriter w, string? argumentSwitch = null)
    {
        var output = _gradient.Method.Output;
        w.Line($"// Backward: d_v = ∂L/∂v for L = Σ {SeedName} ⊙ {ResultName}");
        if (_adjoints.ContainsKey(output))
            w.Line($"var {AdjointName(output)} = Seed({ResultExpression}, {SeedName});");
        var assigned = new NodeSet();
        assigned.Add(output);
        var onParameters = argumentSwitch is null ? null : DependsOnParameters();
        bool ArgumentsOnly(BackwardStep step) => onParameters is not null && !onParameters.Contains(step.Target);
        foreach (var step in _gradient.Steps)
            if (!ArgumentsOnly(step)) WriteStep(w, step, assigned, declared: null);
        if (onParameters is null || !_gradient.Steps.Any(ArgumentsOnly)) return;

        // The arguments' gradients are returned from outside the block: declared before it, null when it does not run.
        var declared = new NodeSet();
        foreach (var (_, leaf) in Outputs)
            if (leaf.Op == Op.Input && !assigned.Contains(leaf) && _adjoints.ContainsKey(leaf))
            {
                w.Line($"Tensor {AdjointName(leaf)} = null!;");
                declared.Add(leaf);
            }
        w.Open($"if ({argumentSwitch})");
        foreach (var step in _gradient.Steps)
            if (ArgumentsOnly(step)) WriteStep(w, step, assigned, declared);
        w.Close();
    }

    /// <summary>Lines are written piece by piece, not formatted first: a body of thousands of statements has thousands of steps.</summary>
    private void WriteStep(SourceWriter w, BackwardStep step, NodeSet assigned, NodeSet? declared)
    {
        foreach (var shared in BackwardNodes(step.Contribution))
            if (HasStatement(shared) && _emitted.Add(shared))
                AppendCall(w.StartLine("var ").Append(_variables[shared]).Append(" = "), shared).Append(";\n");
        var target = AdjointName(step.Target);
        var first = assigned.Add(step.Target);
        w.StartLine("// ").Append(DisplayName(step.Source)).Append(" = ").Append(Math(step.Source)).Append("  ⇒  ")
            .Append(target).Append(first ? " = " : " += ").Append(AdjointMath(step)).Append("\n");
        if (first) AppendRendered(w.StartLine(declared is not null && declared.Contains(step.Target) ? "" : "var ").Append(target).Append(" = "), step.Contribution).Append(";\n");
        else w.Line(AddTo(step.Target, target, Render(step.Contribution)));
    }

    /// <summary>The forward nodes that read a parameter, directly or through other nodes.</summary>
    private NodeSet DependsOnParameters()
    {
        var set = new NodeSet();
        foreach (var node in _forward)
            if (node.Op == Op.Parameter || set.ContainsAny(node.Inputs)) set.Add(node);
        return set;
    }

    private string GradientList(string? argumentSwitch = null) => string.Join(", ",
        Outputs.Select(o => $"{o.Property} = {GradientOf(o.Leaf, argumentSwitch)}"));

    /// <summary>A returned gradient; an argument's nothing flowed into is zeros only when the switch asks for the arguments'.</summary>
    private string GradientOf(Node leaf, string? argumentSwitch) =>
        _adjoints.ContainsKey(leaf) ? AdjointName(leaf)
        : argumentSwitch is not null && leaf.Op == Op.Input ? $"{argumentSwitch} ? {Zeros(leaf)} : null!"
        : Zeros(leaf);

    /// <summary>The gradient of a leaf nothing flowed into: zeros shaped like it, one per element for a list's parameter.</summary>
    private string Zeros(Node leaf)
    {
        if (leaf.Op != Op.Parameter || !Model.ParameterPath.TrySplitList(leaf.Attributes.Text!, out var list, out var inElement)) return $"ZerosLike({Render(leaf)})";
        var count = _spec.Class.ModuleLists.First(l => l.Path == list).CountMember;
        return $"GradientsOrZeros(new Tensor?[{list}.{count}], index => {list}[index].{inElement})";
    }

    /// <summary>
    /// One more term of an adjoint: <c>d_x += term</c>, or, for a list's parameters (one gradient per element, from calls
    /// of a method that loops over the list), <c>d_Layers_W = AddEach(d_Layers_W, term)</c>.
    /// </summary>
    private static string AddTo(Node target, string adjoint, string term) =>
        target.Op == Op.Parameter && Model.ParameterPath.IsList(target.Attributes.Text!)
            ? $"{adjoint} = AddEach({adjoint}, {term});"
            : $"{adjoint} += {term};";

    /// <summary>The result as an operand: its variable, or the argument or parameter itself when the method returns one unchanged.</summary>
    private string ResultExpression => Render(_gradient.Method.Output);


    /// <summary>A node as an operand: its variable if it has one, else the call written inline.</summary>
    private string Render(Node n) => Named(n) ?? Call(n);

    /// <summary>What a node is as an operand when it is not a call written inline: its variable, a leaf, a number, an adjoint.</summary>
    private string? Named(Node n) => n.Op switch
    {
        // In {M}Summary, a node is its local there or written inline: the forward's variables are not declared.
        _ when _summaryLocals is not null && !n.IsLeaf => _summaryLocals.TryGetValue(n, out var local) ? local : null,
        Op.Input when _saved is not null && _saved.TryGetValue(n, out var saved) => saved,
        Op.Input or Op.Parameter or Op.ConstantTensor => n.Attributes.Text!,
        Op.Constant or Op.ScalarRef => GraphBuilder.ScalarText(n),
        Op.AdjointRef => AdjointName(n[0]),
        _ => _variables.TryGetValue(n, out var name) && (_emitted.Contains(n) || _forwardSet.Contains(n)) ? name : null,
    };

    /// <summary>Writes what <see cref="Render"/> returns.</summary>
    private SourceWriter AppendRendered(SourceWriter w, Node n) => Named(n) is { } name ? w.Append(name) : AppendCall(w, n);

    /// <summary>
    /// Writes what <see cref="Call"/> returns: a plain call with its operands written in place (a string per nested call,
    /// copied into its consumer's, was one of the most frequent objects of a long body's run), another rendering as its string.
    /// </summary>
    private SourceWriter AppendCall(SourceWriter w, Node n)
    {
        var rule = RuleTable.For(n.Op);
        if (!rule.RendersPlainCall) return w.Append(Call(n));
        w.Append(rule.CSharp).Append("(");
        for (var i = 0; i < n.Inputs.Length; i++) AppendRendered(i == 0 ? w : w.Append(", "), n.Inputs[i]);
        return w.Append(")");
    }

    /// <summary>A node as the runtime call that computes it, written by its rule-table row.</summary>
    private string Call(Node n)
    {
        var rule = RuleTable.For(n.Op);
        // The operands' list is borrowed for the call: a rendering reads it and keeps only the string it returns. Lists are
        // kept per thread, one per level of nesting (an operand written inline renders its own operands meanwhile): a list
        // and its array per node were nearly as many bytes as the strings rendered.
        var lists = OperandLists ??= new Stack<List<string>>();
        var operands = lists.Count > 0 ? lists.Pop() : new List<string>(4);
        try
        {
            foreach (var input in n.Inputs) operands.Add(Render(input));
            return rule.Render(rule.CSharp, n, operands);
        }
        finally
        {
            operands.Clear();
            if (operands.Capacity <= 64) lists.Push(operands);
        }
    }

    [System.ThreadStatic] private static Stack<List<string>>? OperandLists;

    /// <summary>A node in math notation, for comments: named nodes by name, others expanded.</summary>
    /// <remarks>
    /// Kept per node: the documentation, the backward comments and the inspection each show a node's math (a rule's
    /// comment once per input), and the names it is made of are fixed once the emitter is built.
    /// </remarks>
    public string Math(Node n)
    {
        if (_math.TryGetValue(n, out var known)) return known;
        return _math[n] = MathNotation.Of(n, _mathName ??= MathName);
    }

    /// <summary><see cref="MathName"/> as a delegate made once: a method group passed on allocates a delegate per call, per comment.</summary>
    private System.Func<Node, string?>? _mathName;

    /// <summary>A node as an operand in math notation: parenthesized when it is an expression with spaces, unless <paramref name="bare"/>.</summary>
    public string MathOperand(Node n, bool bare = false) => MathNotation.Operand(n, _mathName ??= MathName, bare);

    /// <summary>What a node is called in comments: adjoints and variables by name; null for nodes written out.</summary>
    private string? MathName(Node n) =>
        n.Op == Op.AdjointRef ? AdjointName(n[0]) : n.IsLeaf || _variables.ContainsKey(n) ? DisplayName(n) : null;

    /// <summary>The rule's contribution in math notation, from the rule table; kept per step (the comments and the inspection both show it).</summary>
    public string AdjointMath(BackwardStep step)
    {
        if (_adjointMath.TryGetValue(step, out var known)) return known;
        return _adjointMath[step] = WriteAdjointMath(step);
    }

    private string WriteAdjointMath(BackwardStep step)
    {
        var rule = RuleTable.For(step.Source.Op);
        var template = step.InputIndex < rule.AdjointMath.Count ? rule.AdjointMath[step.InputIndex] : rule.AdjointMath.FirstOrDefault() ?? "";
        var text = template;
        if (step.Source.Op == Op.CallValue)
            text = text.Replace("{pullback}", $"pullback of {Math(step.Source[0])} at {AdjointName(step.Source)}, its {step.Source.Attributes.Names[step.InputIndex - 1]}");
        if (step.Source.Op == Op.CustomCall)
        {
            // The user's backward, called with the inputs and the upstream gradient; one tuple item per input.
            var call = $"{Renderings.CustomMethodName(step.Source, 1)}({string.Join(", ", step.Source.Inputs.Select(i => MathOperand(i)))}, {AdjointName(step.Source)})";
            text = text.Replace("{backward}", step.Source.Inputs.Length == 1 ? call : $"{call}.Item{step.InputIndex + 1}");
        }
        var suffix = rule.Kind == GradientKind.Rule && step.Contribution.Op == Op.SumToShapeOf ? ", summed over broadcast axes" : "";
        return MathNotation.FillAdjoint(text, step.Source.Inputs, _mathName ??= MathName, AdjointName(step.Source), DisplayName(step.Source), suffix);
    }

    public string AdjointOf(Node leaf) => _adjoints.TryGetValue(leaf, out var name) ? name : "0";

    public string NameOf(Node n) => DisplayName(n);

    public IEnumerable<Node> NamedForwardNodes => _forward.Where(HasStatement);

    /// <summary>The result's name for comments: its variable, or the leaf it is.</summary>
    public string ResultName => _variables.TryGetValue(_gradient.Method.Output, out var name) ? name : DisplayName(_gradient.Method.Output);
}
