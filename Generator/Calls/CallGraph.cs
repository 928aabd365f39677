using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Calls;

/// <summary>
/// The calls between [Differentiable] methods of a compilation, from the specs' call summaries alone (cheap: no
/// lowering): which parameters each method reaches through its callees, which calls are recursive (DIFF005), and which
/// forward-with-pullback variants each callee must generate for its callers (and, for a public method, for callers in
/// other assemblies; the methods of other assemblies it calls come with the specs, read from metadata). Then the work is cut per class, so that
/// a class is generated again only when its own methods, or what it needs of others, change.
/// </summary>
internal static class CallGraph
{
    public static EquatableArray<ClassWork> Plan(IReadOnlyList<AnalyzedMethod> methods)
    {
        var byKey = new Dictionary<string, AnalyzedMethod>();
        foreach (var method in methods) byKey[method.Spec.Key] = method;

        var recursion = FindRecursion(methods, byKey);
        var reached = ReachParameters(methods, byKey, recursion);
        var invalid = Invalid(methods, byKey, recursion);
        var signatures = new Dictionary<string, CalleeSignature>();
        foreach (var method in methods)
        {
            var spec = method.Spec;
            var valid = !invalid.Contains(spec.Key);
            signatures[spec.Key] = new CalleeSignature(spec.Key, spec.Name, spec.Class.FullName, spec.IsStatic, spec.Arguments,
                spec.CustomGradient?.BackwardMethod, valid, new EquatableArray<string>(reached.TryGetValue(spec.Key, out var r) ? r : new List<string>()));
        }
        // Methods of other assemblies, known by their exported pullbacks (never by a method of this compilation's key).
        foreach (var method in methods)
            foreach (var external in method.Spec.ExternalCallees)
                if (!signatures.ContainsKey(external.Key)) signatures[external.Key] = external;
        var masks = RequestedVjps(methods, byKey, signatures);
        var called = new HashSet<string>(methods.Where(m => signatures[m.Spec.Key].IsValid).SelectMany(m => m.Summary.Sites).Select(s => s.CalleeKey));

        var work = new List<ClassWork>();
        foreach (var type in methods.GroupBy(m => m.Spec.Class.FullName))
        {
            var own = type.ToList();
            var callees = new SortedDictionary<string, CalleeSignature>(System.StringComparer.Ordinal);
            var inlined = new SortedDictionary<string, MethodSpec>(System.StringComparer.Ordinal);
            foreach (var method in own)
                foreach (var site in method.Summary.Sites)
                    if (signatures.TryGetValue(site.CalleeKey, out var signature)) callees[site.CalleeKey] = signature;
            // The device program still inlines its callees: it needs their bodies, transitively.
            var pending = new Stack<string>(callees.Keys);
            while (pending.Count > 0)
            {
                var key = pending.Pop();
                if (inlined.ContainsKey(key) || !byKey.TryGetValue(key, out var callee)) continue;
                inlined[key] = callee.Spec;
                foreach (var site in callee.Summary.Sites) pending.Push(site.CalleeKey);
            }
            var planned = own.Select(m => new MethodWork(m.Spec, m.Summary, signatures[m.Spec.Key].ReachedParameters,
                // Only masks of this method's own arguments: an overload (DIFF012) shares the key but not the arguments.
                new EquatableArray<ulong>(masks.TryGetValue(m.Spec.Key, out var set)
                    ? set.Where(mask => (mask & ~CallMasks.AllTensors(m.Spec)) == 0).OrderBy(x => x) : Enumerable.Empty<ulong>()),
                CallDiagnostics(m, byKey, recursion),
                called.Contains(m.Spec.Key)));
            work.Add(new ClassWork(own[0].Spec.Class, new EquatableArray<MethodWork>(planned), new EquatableArray<CalleeSignature>(callees.Values),
                new EquatableArray<MethodSpec>(inlined.Values)));
        }
        return new EquatableArray<ClassWork>(work);
    }

    /// <summary>
    /// The methods that cannot be generated: those with diagnostics, compile errors or recursion, and every method that
    /// calls one of them, however indirectly (its generated code would call members that are not generated). The
    /// callers get no diagnostic of their own: the mistake is reported once, where it is. Breadth-first over the
    /// reversed calls, each method visited once.
    /// </summary>
    private static HashSet<string> Invalid(IReadOnlyList<AnalyzedMethod> methods, Dictionary<string, AnalyzedMethod> byKey, Dictionary<string, DiagnosticInfo> recursion)
    {
        var callers = new Dictionary<string, List<string>>();
        foreach (var method in methods)
            foreach (var site in method.Summary.Sites)
            {
                if (!byKey.ContainsKey(site.CalleeKey)) continue;
                if (!callers.TryGetValue(site.CalleeKey, out var list)) callers[site.CalleeKey] = list = new List<string>();
                list.Add(method.Spec.Key);
            }
        var invalid = new HashSet<string>();
        var pending = new Queue<string>();
        foreach (var method in methods)
        {
            var spec = method.Spec;
            if ((spec.Diagnostics.Count > 0 || spec.HasCompileErrors || recursion.ContainsKey(spec.Key)) && invalid.Add(spec.Key)) pending.Enqueue(spec.Key);
        }
        while (pending.Count > 0)
            if (callers.TryGetValue(pending.Dequeue(), out var list))
                foreach (var caller in list)
                    if (invalid.Add(caller)) pending.Enqueue(caller);
        return invalid;
    }

    /// <summary>What is wrong with a method's calls: recursion.</summary>
    private static EquatableArray<DiagnosticInfo> CallDiagnostics(AnalyzedMethod method, Dictionary<string, AnalyzedMethod> byKey, Dictionary<string, DiagnosticInfo> recursion)
    {
        var found = new List<DiagnosticInfo>();
        if (recursion.TryGetValue(method.Spec.Key, out var cycle)) found.Add(cycle);
        return found.Count == 0 ? EquatableArray<DiagnosticInfo>.Empty : new EquatableArray<DiagnosticInfo>(found);
    }

    /// <summary>
    /// Depth-first over the calls with an explicit stack (a chain of thousands of methods must not overflow it). A call
    /// back into a method still being visited closes a cycle: every method on the cycle gets DIFF005 at its call.
    /// </summary>
    private static Dictionary<string, DiagnosticInfo> FindRecursion(IReadOnlyList<AnalyzedMethod> methods, Dictionary<string, AnalyzedMethod> byKey)
    {
        var found = new Dictionary<string, DiagnosticInfo>();
        var state = new Dictionary<string, int>();   // 1 visiting, 2 done
        var path = new List<string>();
        var stack = new Stack<(string Key, int Next)>();
        foreach (var root in methods)
        {
            if (state.ContainsKey(root.Spec.Key)) continue;
            stack.Push((root.Spec.Key, 0));
            state[root.Spec.Key] = 1;
            path.Add(root.Spec.Key);
            while (stack.Count > 0)
            {
                var (key, next) = stack.Pop();
                var sites = byKey[key].Summary.Sites;
                if (next >= sites.Count)
                {
                    state[key] = 2;
                    path.RemoveAt(path.Count - 1);
                    continue;
                }
                stack.Push((key, next + 1));
                var site = sites[next];
                if (!byKey.ContainsKey(site.CalleeKey)) continue;
                state.TryGetValue(site.CalleeKey, out var calleeState);
                if (calleeState == 1)
                {
                    var cycle = path.Skip(path.IndexOf(site.CalleeKey)).ToList();
                    var names = string.Join(" → ", cycle.Concat(new[] { site.CalleeKey }).Select(k => byKey[k].Spec.Name));
                    foreach (var member in cycle)
                        if (!found.ContainsKey(member))
                            found[member] = new DiagnosticInfo(Diagnostics.Recursion, member == key ? site.Where : byKey[member].Spec.Where, byKey[member].Spec.Name, names);
                }
                else if (calleeState == 0)
                {
                    state[site.CalleeKey] = 1;
                    path.Add(site.CalleeKey);
                    stack.Push((site.CalleeKey, 0));
                }
            }
        }
        return found;
    }

    /// <summary>
    /// The parameters each method reads, its callees' included (prefixed by the receiver path: <c>L1.W</c>), in
    /// the order of the class's declared parameter paths. Callees first (post-order), iteratively.
    /// </summary>
    private static Dictionary<string, List<string>> ReachParameters(IReadOnlyList<AnalyzedMethod> methods, Dictionary<string, AnalyzedMethod> byKey,
        Dictionary<string, DiagnosticInfo> recursion)
    {
        var reached = new Dictionary<string, List<string>>();
        var order = PostOrder(methods, byKey);
        foreach (var key in order)
        {
            var method = byKey[key];
            var paths = new HashSet<string>(method.Summary.DirectParameters);
            if (!recursion.ContainsKey(key))
                foreach (var site in method.Summary.Sites)
                {
                    if (site.ReceiverPath is null) continue;
                    if (!reached.TryGetValue(site.CalleeKey, out var inner)
                        && method.Spec.ExternalCallees.FirstOrDefault(c => c.Key == site.CalleeKey) is { } external)
                        inner = external.ReachedParameters.ToList();
                    if (inner is null) continue;
                    foreach (var path in inner) paths.Add(site.ReceiverPath.Length == 0 ? path : site.ReceiverPath + "." + path);
                }
            var declared = method.Spec.Class.ParameterPaths;
            reached[key] = paths.OrderBy(p => declared.OrderOf(p)).ThenBy(p => p, System.StringComparer.Ordinal).ToList();
        }
        return reached;
    }


    /// <summary>Methods with every callee before its callers (cycles broken where they are met).</summary>
    private static List<string> PostOrder(IReadOnlyList<AnalyzedMethod> methods, Dictionary<string, AnalyzedMethod> byKey)
    {
        var order = new List<string>();
        var seen = new HashSet<string>();
        var stack = new Stack<(string Key, int Next)>();
        foreach (var root in methods)
        {
            if (!seen.Add(root.Spec.Key)) continue;
            stack.Push((root.Spec.Key, 0));
            while (stack.Count > 0)
            {
                var (key, next) = stack.Pop();
                var sites = byKey[key].Summary.Sites;
                if (next >= sites.Count)
                {
                    order.Add(key);
                    continue;
                }
                stack.Push((key, next + 1));
                var callee = sites[next].CalleeKey;
                if (byKey.ContainsKey(callee) && seen.Add(callee)) stack.Push((callee, 0));
            }
        }
        return order;
    }

    /// <summary>
    /// Which forward-with-pullback variants each method must generate: starting from every method's own gradient
    /// (its declared [Wrt] arguments), each call asks its callee for the arguments whose gradient it may need; a
    /// variant that is asked for is differentiated in turn, so its own calls ask further.
    /// </summary>
    private static Dictionary<string, HashSet<ulong>> RequestedVjps(IReadOnlyList<AnalyzedMethod> methods, Dictionary<string, AnalyzedMethod> byKey,
        Dictionary<string, CalleeSignature> signatures)
    {
        var requested = new Dictionary<string, HashSet<ulong>>();
        var pending = new Queue<(string Key, ulong Mask)>(methods.Where(m => signatures[m.Spec.Key].IsValid).Select(m => (m.Spec.Key, CallMasks.Declared(m.Spec))));
        // A public method is asked for what other assemblies may call: its pullbacks of every argument and of none.
        foreach (var method in methods.Where(m => m.Spec.IsExported && signatures[m.Spec.Key].IsValid))
        {
            if (!requested.TryGetValue(method.Spec.Key, out var set)) requested[method.Spec.Key] = set = new HashSet<ulong>();
            foreach (var mask in CallMasks.Exported(method.Spec))
                if (set.Add(mask)) pending.Enqueue((method.Spec.Key, mask));
        }
        while (pending.Count > 0)
        {
            var (key, mask) = pending.Dequeue();
            foreach (var site in byKey[key].Summary.Sites)
            {
                if (!signatures.TryGetValue(site.CalleeKey, out var callee) || !callee.IsValid || callee.CustomBackward is not null || callee.IsExternal) continue;
                var calleeMask = CallMasks.ForCall(site, mask, callee);
                if (!requested.TryGetValue(callee.Key, out var set)) requested[callee.Key] = set = new HashSet<ulong>();
                if (set.Add(calleeMask)) pending.Enqueue((callee.Key, calleeMask));
            }
        }
        return requested;
    }
}

/// <summary>A parsed method with its call summary (computed per method, so an edit elsewhere leaves it cached).</summary>
internal sealed record AnalyzedMethod(MethodSpec Spec, CallSummary Summary);

/// <summary>
/// Everything needed to generate one method: its spec, calls, reached parameters, the pullback variants asked of it,
/// call diagnostics, and whether another [Differentiable] method calls it (then its device program is part of theirs).
/// </summary>
internal sealed record MethodWork(MethodSpec Spec, CallSummary Summary, EquatableArray<string> ReachedParameters, EquatableArray<ulong> VjpMasks,
    EquatableArray<DiagnosticInfo> CallDiagnostics, bool IsCalled);

/// <summary>
/// Everything needed to generate one class, and nothing more: its methods, its callees' signatures, and (for the
/// device programs, which still inline calls) the specs of every method it reaches.
/// </summary>
internal sealed record ClassWork(ClassSpec Class, EquatableArray<MethodWork> Methods, EquatableArray<CalleeSignature> Callees,
    EquatableArray<MethodSpec> InlinedCallees);
