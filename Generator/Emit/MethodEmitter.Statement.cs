using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.IR;

namespace Differentiable.Generator.Emit;

internal sealed partial class MethodEmitter
{
    /// <summary>
    /// While the backward of a statement of a body with control flow is written: the locals it keeps instead of
    /// reading the user's variable, which later statements (or iterations) may reassign.
    /// </summary>
    private Dictionary<Node, string>? _saved;

    /// <summary>
    /// Writes one straight-line statement of a body with control flow (<see cref="ControlFlowEmitter"/> writes the rest):
    /// the forward, assigning <paramref name="assign"/> (e.g. "b = " or "var b = "), then a tape entry, a closure that
    /// runs this statement's backward when the tape is replayed. The closure reads only what this execution kept: the
    /// block's own variables and copies of the user's locals it needs (<paramref name="mustSave"/>), so a loop-carried
    /// value is the one of its own iteration. Adjoints flow through the driver's accumulators (<paramref name="accumulator"/>,
    /// by leaf): the target's is taken and reset (before this statement the target is another value), each input's added to.
    /// </summary>
    public void WriteStatement(SourceWriter w, string assign, string? targetAdjoint, string tape,
        System.Func<Node, bool> mustSave, System.Func<Node, string?> accumulator)
    {
        var output = _gradient.Method.Output;
        _saved = new Dictionary<Node, string>();
        foreach (var leaf in _forward.Where(n => n.Op == Op.Input && _readByBackward.Contains(n) && mustSave(n)))
        {
            _saved[leaf] = _names.Claim(leaf.Attributes.Text!.Replace("@", "") + "_saved");
            w.Line($"var {_saved[leaf]} = {leaf.Attributes.Text};");
        }
        var saved = _saved;
        _saved = null;
        // The value assigned is written straight into the target unless the backward reads it (then it is kept here too).
        var direct = !output.IsLeaf && !_readByBackward.Contains(output) && Uses(output) == 0;
        foreach (var node in _forward.Where(n => HasStatement(n) && !(direct && n == output)))
        {
            w.Line($"var {_variables[node]} = {Call(node)};");
            _emitted.Add(node);
        }
        w.Line(assign + (direct ? Call(output) : ResultExpression) + ";");
        if (targetAdjoint is null) return;

        var contributions = Outputs.Select(o => o.Leaf).Where(l => _adjoints.ContainsKey(l) && accumulator(l) is not null).ToList();
        if (!_adjoints.ContainsKey(output) || contributions.Count == 0)
        {
            w.Line($"{tape}.Push(() => {targetAdjoint} = null); // no gradient flows through this statement; before it, the target is another value");
            return;
        }
        _saved = saved;
        w.Open($"{tape}.Push(() =>");
        var incoming = AdjointName(output);
        w.Line($"if ({targetAdjoint} is not {{ }} {incoming}) return; // nothing flowed into the value assigned here");
        w.Line($"{targetAdjoint} = null; // before this statement, the target is another value: its adjoint starts over");
        foreach (var step in _gradient.Steps)
        {
            foreach (var shared in BackwardNodes(step.Contribution))
                if (HasStatement(shared) && _emitted.Add(shared))
                    w.Line($"var {_variables[shared]} = {Call(shared)};");
            var target = AdjointName(step.Target);
            var first = _assignedInBackward.Add(step.Target);
            w.Line($"// {DisplayName(step.Source)} = {Math(step.Source)}  ⇒  {target} {(first ? "=" : "+=")} {AdjointMath(step)}");
            var value = Render(step.Contribution);
            w.Line(first ? $"var {target} = {value};" : AddTo(step.Target, target, value));
        }
        foreach (var leaf in contributions)
        {
            var into = accumulator(leaf)!;
            if (into.StartsWith(EachPrefix, System.StringComparison.Ordinal))
            {
                // A list's parameters, one gradient per element (a call of a method that loops over the list).
                w.Line($"AccumulateEach({into.Substring(EachPrefix.Length)}, {(leaf == output ? incoming : AdjointName(leaf))});");
                continue;
            }
            // An element of an accumulator array (d_Layers_W[i]): the compiler's null analysis does not follow array elements.
            var known = into.EndsWith("]", System.StringComparison.Ordinal) ? into + "!" : into;
            var added = leaf == output ? incoming : AdjointName(leaf);
            w.Line($"{into} = {into} is null ? {added} : {known} + {added};");
        }
        w.Close("});");
        _saved = null;
    }

    private readonly HashSet<Node> _assignedInBackward = new();

    /// <summary>An accumulator named with this prefix holds one gradient per element of a list: contributions are added element by element.</summary>
    public const string EachPrefix = "each:";
}
