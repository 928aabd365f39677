using System;
using System.Collections.Generic;
using System.Globalization;

namespace Differentiable.Generator.Emit.Cuda;

/// <summary>
/// The text a fused kernel's expression is rendered into, one level after another at its end: an operand is rendered,
/// the template that reads it is filled after it by copying the operand's range, and the filled text moves down over
/// the operands. One buffer serves every node of a method, so rendering allocates nothing per node or level (a string
/// per level and per operand was a third of what the device emitter allocated on a large body, for expressions that are
/// nearly always a kernel already written).
/// </summary>
internal sealed class ExpressionBuffer
{
    private char[] _chars = new char[256];

    public int Length { get; private set; }

    public void Clear() => Length = 0;

    /// <summary>Drops everything from <paramref name="length"/> on.</summary>
    public void Truncate(int length) => Length = length;

    public ExpressionBuffer Append(char c)
    {
        Room(1);
        _chars[Length++] = c;
        return this;
    }

    public ExpressionBuffer Append(string text) => Append(text, 0, text.Length);

    public ExpressionBuffer Append(string text, int start, int count)
    {
        Room(count);
        text.CopyTo(start, _chars, Length, count);
        Length += count;
        return this;
    }

    /// <summary>Appends a count or an index (never negative) without formatting it into a string first.</summary>
    public ExpressionBuffer Append(int value)
    {
        if (value < 0) return Append(value.ToString(CultureInfo.InvariantCulture));
        var digits = 1;
        for (var rest = value / 10; rest > 0; rest /= 10) digits++;
        Room(digits);
        for (var at = Length + digits - 1; at >= Length; at--, value /= 10) _chars[at] = (char)('0' + value % 10);
        Length += digits;
        return this;
    }

    /// <summary>Appends a copy of this buffer's own range (an operand rendered earlier, read by the template being filled).</summary>
    public ExpressionBuffer AppendCopy(int start, int count)
    {
        Room(count);
        System.Array.Copy(_chars, start, _chars, Length, count);
        Length += count;
        return this;
    }

    /// <summary>Moves the text from <paramref name="from"/> to the end down to <paramref name="to"/>, dropping what lay between.</summary>
    public void MoveDown(int from, int to)
    {
        var count = Length - from;
        System.Array.Copy(_chars, from, _chars, to, count);
        Length = to + count;
    }

    public bool Contains(char c) => System.Array.IndexOf(_chars, c, 0, Length) >= 0;

    public string ToString(int start) => new(_chars, start, Length - start);

    public override string ToString() => ToString(0);

    public bool Matches(string text) => text.AsSpan().SequenceEqual(Text);

    /// <summary>A hash of the whole text, equal to <see cref="HashOf"/> of the same characters as a string.</summary>
    public int Hash() => HashOf(Text);

    /// <summary>FNV-1a over the characters.</summary>
    public static int HashOf(System.ReadOnlySpan<char> text)
    {
        unchecked
        {
            var hash = (int)2166136261;
            foreach (var c in text) hash = (hash ^ c) * 16777619;
            return hash;
        }
    }

    private System.ReadOnlySpan<char> Text => new(_chars, 0, Length);

    private void Room(int count)
    {
        if (Length + count <= _chars.Length) return;
        var grown = new char[System.Math.Max(_chars.Length * 2, Length + count)];
        System.Array.Copy(_chars, grown, Length);
        _chars = grown;
    }
}

/// <summary>
/// Kernel names by what they compute: the positional expression and the number of buffers it reads. Looked up with the
/// expression still in the <see cref="ExpressionBuffer"/>; a string is made only for an expression not seen before.
/// </summary>
internal sealed class KernelsByExpression
{
    // Sharded by hash, so that a body with thousands of distinct kernels allocates no large-object-heap arrays.
    private readonly Collections.ShardedDictionary<int, List<(string Expression, int Inputs, string Kernel)>> _byHash = new();

    public bool TryGet(ExpressionBuffer expression, int inputs, out string kernel)
    {
        if (_byHash.TryGetValue(Mix(expression.Hash(), inputs), out var list))
            foreach (var entry in list)
                if (entry.Inputs == inputs && expression.Matches(entry.Expression))
                {
                    kernel = entry.Kernel;
                    return true;
                }
        kernel = "";
        return false;
    }

    public void Add(string expression, int inputs, string kernel)
    {
        var key = Mix(ExpressionBuffer.HashOf(expression.AsSpan()), inputs);
        if (!_byHash.TryGetValue(key, out var list)) _byHash[key] = list = new List<(string, int, string)>(1);
        list.Add((expression, inputs, kernel));
    }

    private static int Mix(int hash, int inputs) => unchecked(hash * 31 + inputs);
}
