using System;
using System.Collections.Generic;
using Differentiable.Generator.Collections;
using Differentiable.Generator.IR;

namespace Differentiable.Generator.Rules;

/// <summary>
/// Which tensors of a graph certainly have the same shape, known without the shapes themselves (they are known only at
/// run time): an elementwise op's result has the broadcast shape of its tensor operands, and broadcasting is
/// commutative, associative and idempotent, so that shape is a function of the set of shapes broadcast together. Each
/// node is described by such a set of "shape symbols" — a symbol stands for the shape of a node that is not elementwise
/// (an argument, a parameter, a product, a reduction, ...) — and two nodes with equal sets have equal shapes.
/// </summary>
/// <remarks>
/// This is what lets a binary op's gradient skip <c>SumToShapeOf</c> for an operand that has the result's shape: in
/// <c>h = Sin(h - W) + h</c> the adjoint of the outer <c>h</c> is the result's adjoint itself, and only W's is summed over
/// broadcast axes. Unequal sets prove nothing (x and W may well have the same shape): the sum stays, and the runtime
/// returns its input when no axis was broadcast.
/// </remarks>
internal sealed class BroadcastShapes
{
    /// <summary>Sets larger than this become a symbol of their own: a long sum of distinct parameters would otherwise keep a growing set per node.</summary>
    private const int MaxSymbols = 8;

    private readonly NodeMap<int[]> _symbols = new();

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> have the same shape whatever the inputs' shapes.</summary>
    public bool Same(Node a, Node b) => a == b || SymbolsOf(a).AsSpan().SequenceEqual(SymbolsOf(b));

    /// <summary>The node's shape symbols, sorted: its operands' first (an explicit stack: elementwise chains are as long as the user's code).</summary>
    private int[] SymbolsOf(Node node)
    {
        if (_symbols.TryGetValue(node, out var known)) return known;
        var stack = new Stack<(Node Node, bool InputsDone)>();
        stack.Push((node, false));
        while (stack.Count > 0)
        {
            var (n, inputsDone) = stack.Pop();
            if (_symbols.ContainsKey(n)) continue;
            if (!Broadcasts(n))
            {
                _symbols[n] = new[] { n.Id };
                continue;
            }
            if (!inputsDone)
            {
                stack.Push((n, true));
                foreach (var input in n.Inputs)
                    if (!input.IsScalar && !_symbols.ContainsKey(input)) stack.Push((input, false));
                continue;
            }
            var union = Array.Empty<int>();
            foreach (var input in n.Inputs)
                if (!input.IsScalar) union = Union(union, _symbols[input]);
            _symbols[n] = union.Length == 0 || union.Length > MaxSymbols ? new[] { n.Id } : union;
        }
        return _symbols[node];
    }

    /// <summary>An elementwise op over its operands as they are: no view, and no operand read for its shape alone.</summary>
    private static bool Broadcasts(Node n) =>
        RuleTable.For(n.Op).Device is { Kind: DeviceKind.Elementwise, Broadcast: null, ShapeOnlyInput: null };

    /// <summary>The sorted union; either array itself when it holds the other (a unary op's set, or x op x, is shared).</summary>
    private static int[] Union(int[] a, int[] b)
    {
        if (a.Length == 0 || a == b) return b;
        if (b.Length == 0) return a;
        var merged = new List<int>(a.Length + b.Length);
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (j == b.Length || (i < a.Length && a[i] < b[j])) merged.Add(a[i++]);
            else if (i == a.Length || b[j] < a[i]) merged.Add(b[j++]);
            else { merged.Add(a[i++]); j++; }
        }
        if (merged.Count == a.Length) return a;
        if (merged.Count == b.Length) return b;
        return merged.ToArray();
    }
}
