using System.Collections.Generic;
using Differentiable.Generator.Collections;
using Microsoft.CodeAnalysis.CSharp;

namespace Differentiable.Generator.Emit;

/// <summary>Hands out unique C# identifiers: the wanted name if free, else name2, name3, ... in a fixed order.</summary>
internal sealed class NameTable
{
    // One name per node of a large graph: sharded, so they allocate no large-object-heap arrays.
    private readonly ShardedSet<string> _taken = new(System.StringComparer.Ordinal);
    private readonly ShardedDictionary<string, int> _nextSuffix = new(System.StringComparer.Ordinal);

    /// <summary>Names that are never handed out, shared by many tables (a class's members, CUDA's words): consulted, not copied.</summary>
    private readonly HashSet<string>? _shared;

    public NameTable(IEnumerable<string> reserved, HashSet<string>? shared = null)
    {
        _shared = shared;
        foreach (var name in reserved) _taken.Add(name);
    }

    private bool Take(string candidate) => (_shared is null || !_shared.Contains(candidate)) && _taken.Add(candidate);

    public string Claim(string wanted)
    {
        var name = Sanitize(wanted);
        if (SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None) name += "_";
        // Resume from the last suffix handed out for this name: a thousand h_mul's cost a thousand tries, not half a million.
        var next = _nextSuffix.TryGetValue(name, out var known) ? known : 2;
        if (Take(name)) return name;   // most names are claimed once: only a suffix handed out is remembered
        string candidate;
        do candidate = name + next++;
        while (!Take(candidate));
        _nextSuffix[name] = next;
        return candidate;
    }

    private static string Sanitize(string name)
    {
        // Most names are identifiers already (every kernel and buffer of a large body asks): no copy for them.
        if (IsIdentifier(name)) return name;
        var chars = name.Replace("global::", "").ToCharArray();
        for (var i = 0; i < chars.Length; i++)
            if (!char.IsLetterOrDigit(chars[i]) && chars[i] != '_') chars[i] = '_';
        var result = new string(chars);
        return result.Length == 0 || char.IsDigit(result[0]) ? "v" + result : result;
    }

    private static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || char.IsDigit(name[0])) return false;
        foreach (var c in name)
            if (!char.IsLetterOrDigit(c) && c != '_') return false;
        return true;
    }
}
