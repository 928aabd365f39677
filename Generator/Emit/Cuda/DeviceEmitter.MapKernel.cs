using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.IR;
using Differentiable.Generator.Rules;

namespace Differentiable.Generator.Emit.Cuda;

internal sealed partial class DeviceEmitter
{
    /// <summary>Where every <see cref="MapKernel"/> of this emitter renders its expression (see <see cref="ExpressionBuffer"/>).</summary>
    private readonly ExpressionBuffer _expression = new();

    /// <summary>The one positional kernel <see cref="EmitMap"/> renders with, reset for each node.</summary>
    private MapKernel? _positionalMap;

    /// <summary>Renders one fused expression, collecting the buffers it reads and the run-time numbers it needs.</summary>
    private sealed class MapKernel
    {
        private readonly DeviceEmitter _owner;
        private readonly ExpressionBuffer _text;
        private readonly Dictionary<Node, int> _leafIndex = new();
        private NameTable? _parameterNames;
        private readonly Node? _value;
        /// <summary>Per input of the nodes being rendered, where its rendering starts in the buffer and how long it is (start −1: not rendered).</summary>
        private readonly List<(int Start, int Length)> _operands = new();

        /// <summary>
        /// A kernel of its own (not an epilogue): each input renders as a placeholder of its position
        /// (<see cref="WriteNamed"/> writes the names in), so two kernels that compute the same thing render the same text.
        /// </summary>
        public MapKernel(DeviceEmitter owner) : this(owner, null, Enumerable.Empty<string>()) => _positional = true;

        private readonly bool _positional;

        /// <summary>Marks a placeholder: characters no rendered expression contains.</summary>
        public const char PlaceholderStart = '\u0001', PlaceholderEnd = '\u0002';

        /// <param name="value">A product whose value the expression receives as an argument of that name (an epilogue), with
        /// inputs at pointers 3, 4, ...</param>
        /// <param name="reserved">Names the inputs must not take (the locals of the kernel the expression is put in).</param>
        public MapKernel(DeviceEmitter owner, Node? value, IEnumerable<string> reserved)
        {
            _owner = owner;
            _text = owner._expression;
            _value = value;
            _reserved = reserved;
        }

        private readonly IEnumerable<string> _reserved;

        /// <summary>
        /// The kernel's inputs: parameter names and the program's operands. A positional kernel's parameters hold the
        /// wanted names until <see cref="NameParameters"/>: most such kernels turn out to be one already written, whose
        /// names are not needed (a large body renders thousands and writes dozens).
        /// </summary>
        public List<(string Parameter, string Operand)> Leaves { get; } = new();

        public List<string> Scalars { get; } = new();

        /// <summary>Empties the kernel for the next node (a positional kernel is reused: one per node, with its lists and table, allocated on every node of a large body).</summary>
        public void Reset()
        {
            _leafIndex.Clear();
            Leaves.Clear();
            Scalars.Clear();
            _parameterNames = null;
        }

        private NameTable ParameterNames => _parameterNames ??= new NameTable(_reserved, CudaReserved);

        /// <summary>Gives a positional kernel's parameters their unique names, in input order, before it is written.</summary>
        public void NameParameters()
        {
            for (var i = 0; i < Leaves.Count; i++) Leaves[i] = (ParameterNames.Claim(Leaves[i].Parameter), Leaves[i].Operand);
        }

        /// <summary>The expression of <paramref name="n"/> as a string (the buffer is left as it was).</summary>
        public string Render(Node n, bool top = false)
        {
            var start = _text.Length;
            Append(n, top);
            var text = _text.ToString(start);
            _text.Truncate(start);
            return text;
        }

        /// <summary>Appends the expression of <paramref name="n"/> to the buffer: materialized inputs read from memory, the rest expanded.</summary>
        public void Append(Node n, bool top = false)
        {
            if (n == _value)
            {
                _text.Append(_owner._names[n]);
                return;
            }
            var lowering = DeviceLowering.Of(n);
            if (!top && (_owner._graph.IsMaterialized(n) || lowering.Kind == DeviceKind.External))
            {
                AppendRead(Load(n, _owner._names[n], _owner._names[n]));
                return;
            }
            if (n.Op == Op.Constant)
            {
                _text.Append(_owner.FloatLiteral(n.Attributes.Value));
                return;
            }
            if (n.Op == Op.ScalarRef)
            {
                AppendScalar(Scalar($"(float)({n.Attributes.Text})"));
                return;
            }
            if (lowering.Broadcast is { } view)
            {
                // A reduction's result read as if repeated along the reduced axes: a view the builder makes.
                var read = Load(n, _owner._names[n[0]] + "_expanded", DeviceLowering.Render(view, n, "", _owner.Operand));
                if (lowering.Scale is not { } scale)
                {
                    AppendRead(read);
                    return;
                }
                var scalar = Scalar(DeviceLowering.Render(scale, n, "", _owner.Operand));
                _text.Append('(');
                AppendRead(read);
                _text.Append(" * ");
                AppendScalar(scalar);
                _text.Append(')');
                return;
            }
            // An input read for its shape alone still gives the kernel its geometry.
            if (lowering.ShapeOnlyInput is { } shape) Load(n[shape], _owner._names[n[shape]], _owner._names[n[shape]]);
            // The operands, in input order (rendering numbers the kernel's inputs as it meets them), then the template filled
            // after them, which then moves down over them.
            var (start, first) = (_text.Length, _operands.Count);
            for (var k = 0; k < n.Inputs.Length; k++)
            {
                if (k == lowering.ShapeOnlyInput)
                {
                    _operands.Add((-1, 0));
                    continue;
                }
                var at = _text.Length;
                Append(n[k]);
                _operands.Add((at, _text.Length - at));
            }
            var filled = _text.Length;
            Fill(lowering.Expression!, first, n.Inputs.Length);
            _text.MoveDown(filled, start);
            _operands.RemoveRange(first, n.Inputs.Length);
        }

        /// <summary>
        /// Appends the template with each <c>{k}</c> replaced by operand k (<see cref="_operands"/> from
        /// <paramref name="first"/>), in one pass. A placeholder without an operand (an input read for its shape) stays.
        /// </summary>
        private void Fill(string template, int first, int count)
        {
            var start = 0;
            for (var at = template.IndexOf('{'); at >= 0; at = template.IndexOf('{', start))
            {
                var end = at + 1;
                var index = 0;
                while (end < template.Length && template[end] is >= '0' and <= '9') index = index * 10 + (template[end++] - '0');
                if (end == at + 1 || end >= template.Length || template[end] != '}' || index >= count || _operands[first + index].Start < 0)
                {
                    _text.Append(template, start, at + 1 - start);
                    start = at + 1;
                    continue;
                }
                var operand = _operands[first + index];
                _text.Append(template, start, at - start).AppendCopy(operand.Start, operand.Length);
                start = end + 1;
            }
            _text.Append(template, start, template.Length - start);
        }

        /// <summary>The input's number (from 1), given it on first use.</summary>
        private int Load(Node key, string parameter, string operand)
        {
            if (!_leafIndex.TryGetValue(key, out var index))
            {
                index = Leaves.Count + 1;
                _leafIndex[key] = index;
                Leaves.Add((_positional ? parameter : ParameterNames.Claim(parameter), operand));
            }
            return index;
        }

        /// <summary>Input <paramref name="index"/> read at element i. A product kernel's other inputs come after its output, a and b.</summary>
        private void AppendRead(int index)
        {
            if (_positional) _text.Append(PlaceholderStart).Append(index).Append(PlaceholderEnd);
            else _text.Append(Leaves[index - 1].Parameter);
            _text.Append("[at(g, ").Append(_value is null ? index : index + 2).Append(", i)]");
        }

        /// <summary>Writes a positional rendering with each input's parameter name in place of its placeholder.</summary>
        public void WriteNamed(SourceWriter w, string positional)
        {
            var from = 0;
            for (var start = positional.IndexOf(PlaceholderStart); start >= 0; start = positional.IndexOf(PlaceholderStart, from))
            {
                var end = positional.IndexOf(PlaceholderEnd, start);
                w.Append(positional, from, start - from);
                w.Append(Leaves[int.Parse(positional.Substring(start + 1, end - start - 1), System.Globalization.CultureInfo.InvariantCulture) - 1].Parameter);
                from = end + 1;
            }
            w.Append(positional, from, positional.Length - from);
        }

        private int Scalar(string csharp)
        {
            var index = Scalars.IndexOf(csharp);
            if (index >= 0) return index;
            Scalars.Add(csharp);
            return Scalars.Count - 1;
        }

        private void AppendScalar(int index) => _text.Append("g.scalars[").Append(index).Append(']');
    }
}
