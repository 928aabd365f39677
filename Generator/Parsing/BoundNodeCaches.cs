using System.Collections;
using System.Collections.Generic;
using System.Reflection;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// Keeps what binding a long body caches in the generator's own semantic model (<see cref="BindingModel"/>), the
/// model's maps from syntax to bound nodes and to operations, from keeping the model's dead objects alive: each map is
/// sized once before the body is bound, and emptied once the parser is done with the model; and the map to operations,
/// which only answers <c>GetOperation</c>, is not filled at all when the body's operations can be had without it
/// (<see cref="RootOperation"/>).
/// </summary>
/// <remarks>
/// Why: for a long body those maps' arrays are large objects, which the garbage collector keeps with its oldest
/// generation; until its next full collection, every young-generation collection takes what they reference for alive
/// (the operations, and through them the whole model: its bound tree, both maps) and copies it to an older generation,
/// though nothing reads it after the parse. Found with a heap dump of the benchmark between two runs: large
/// <c>Dictionary&lt;SyntaxNode, IOperation&gt;</c> entry arrays, the live ones and those a map left behind when it grew,
/// holding the young operations of earlier runs. A 1,000-statement body's young collections copied ~20 MB and paused
/// ~30 ms each; with the maps sized (nothing left behind) and emptied, its runs pause about half as long for the collector
/// (README, "2026-12-02, night"). Roslyn has no public way to do either, so the members are found by reflection, as
/// Microsoft.CodeAnalysis.CSharp 5.0 names them (<c>BoundNodeCachesTests</c> fails when they move); a compiler whose
/// models have other members gets nothing done, never an error: its models are collected later, as before.
/// </remarks>
internal static class BoundNodeCaches
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic;

    /// <summary>
    /// Both maps hold about one entry per three characters of a method (operations ~1 per 3.1, bound nodes ~1 per 3.6 on
    /// the benchmark's bodies, 1 per 3.3 on a 100-deep nesting): a little over is one array the size of the map, a little
    /// under is one more array left behind.
    /// </summary>
    private const int CharactersPerEntry = 3;

    /// <summary>Below this many entries a map's arrays are small objects, collected young with the model: nothing to do.</summary>
    private const int LargeFrom = 2048;

    private static Members? _members;
    private static bool _missing;

    /// <summary>
    /// Sizes the maps of <paramref name="method"/>'s model in <paramref name="model"/> for its body, before anything binds
    /// it: the map to operations only when <see cref="RootOperation"/> cannot do without it.
    /// </summary>
    public static void Reserve(SemanticModel model, MethodDeclarationSyntax method)
    {
        var entries = method.Span.Length / CharactersPerEntry;
        if (entries < LargeFrom || Find(model) is not { } members) return;
        Guarded(() =>
        {
            if (members.MemberModelOf(model, method) is not { } memberModel) return;
            foreach (var map in members.Maps(memberModel, operations: members.GetRootOperation is null))
                map.GetType().GetMethod("EnsureCapacity", new[] { typeof(int) })?.Invoke(map, new object[] { entries });
        });
    }

    /// <summary>
    /// The operation of <paramref name="method"/>'s whole body, what <c>model.GetOperation(method)</c> returns, without the
    /// map from every syntax node of the body to its operation that <c>GetOperation</c> builds first (a walk of the whole
    /// tree and a dictionary of ~1 entry per 3 characters: about 1 ms of a 1,000-statement body's run, and a large array
    /// for the collector) and that nothing here reads; null when this Roslyn has no such member.
    /// </summary>
    public static IOperation? RootOperation(SemanticModel model, MethodDeclarationSyntax method)
    {
        if (Find(model) is not { GetRootOperation: { } getRootOperation } members) return null;
        IOperation? root = null;
        Guarded(() =>
        {
            if (members.MemberModelOf(model, method) is { } memberModel) root = getRootOperation.Invoke(memberModel, null) as IOperation;
        });
        return root?.Syntax == method ? root : null;
    }

    /// <summary>
    /// Empties the maps of <paramref name="method"/>'s model in <paramref name="model"/>, which must be the generator's
    /// own. Only that method's: should two methods of a file ever be parsed at once with one model (a compiler that
    /// caches models), neither empties what the other is reading.
    /// </summary>
    public static void Clear(SemanticModel model, MethodDeclarationSyntax method)
    {
        if (Find(model) is not { } members) return;
        Guarded(() =>
        {
            if (members.MemberModelOf(model, method) is not { } memberModel) return;
            var nodeMapLock = (ReaderWriterLockSlim)members.NodeMapLock.GetValue(memberModel)!;
            nodeMapLock.EnterWriteLock();
            try
            {
                foreach (var map in members.Maps(memberModel, operations: true)) map.Clear();
            }
            finally
            {
                nodeMapLock.ExitWriteLock();
            }
        });
    }

    private static Members? Find(SemanticModel model)
    {
        if (_missing) return null;
        var members = _members ??= Members.Of(model.GetType());
        if (members is null) _missing = true;
        return members;
    }

    private static void Guarded(System.Action action)
    {
        try
        {
            action();
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            // Another compiler's internals: its models are left as they are, and collected later.
            _missing = true;
        }
    }

    /// <summary>The private members of Roslyn's C# semantic models that reach the two maps, and the body's operation without its map (optional).</summary>
    private sealed record Members(MethodInfo GetMemberModel, System.Type MemberModelType, FieldInfo NodeMapLock, FieldInfo BoundNodeMap, FieldInfo OperationMap,
        MethodInfo? GetRootOperation)
    {
        public static Members? Of(System.Type syntaxTreeModel)
        {
            var getMemberModel = syntaxTreeModel.GetMethod("GetMemberModel", Instance, null, new[] { typeof(SyntaxNode) }, null);
            var memberModel = syntaxTreeModel.Assembly.GetType("Microsoft.CodeAnalysis.CSharp.MemberSemanticModel");
            if (getMemberModel is null || memberModel is null) return null;
            var nodeMapLock = memberModel.GetField("_nodeMapLock", Instance);
            var boundNodeMap = memberModel.GetField("_guardedBoundNodeMap", Instance);
            var operationMap = memberModel.GetField("_guardedIOperationNodeMap", Instance);
            if (nodeMapLock?.FieldType != typeof(ReaderWriterLockSlim) || boundNodeMap is null || operationMap is null) return null;
            var getRootOperation = memberModel.GetMethod("GetRootOperation", Instance, null, System.Type.EmptyTypes, null);
            return new Members(getMemberModel, memberModel, nodeMapLock, boundNodeMap, operationMap,
                getRootOperation?.ReturnType == typeof(IOperation) ? getRootOperation : null);
        }

        /// <summary>The model of the member <paramref name="method"/>'s body is in (asked of the declaration itself, Roslyn gives none).</summary>
        public object? MemberModelOf(SemanticModel model, MethodDeclarationSyntax method)
        {
            if (((SyntaxNode?)method.Body ?? method.ExpressionBody) is not { } body) return null;
            var memberModel = GetMemberModel.Invoke(model, new object[] { body });
            return memberModel is not null && MemberModelType.IsInstanceOfType(memberModel) ? memberModel : null;
        }

        public IEnumerable<IDictionary> Maps(object memberModel, bool operations)
        {
            if (BoundNodeMap.GetValue(memberModel) is IDictionary bound) yield return bound;
            if (operations && OperationMap.GetValue(memberModel) is IDictionary operationMap) yield return operationMap;
        }
    }
}
