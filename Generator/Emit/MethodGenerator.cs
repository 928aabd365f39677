using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Autodiff;
using Differentiable.Generator.Calls;
using Differentiable.Generator.Lowering;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Emit;

/// <summary>What the methods of one class are generated against: the bodies and signatures of what they call.</summary>
internal sealed class GenerationContext
{
    public GenerationContext(ClassWork work)
    {
        Class = work.Class;
        Reserved = new HashSet<string>(ClassEmitter.Reserved(work.Class));
        foreach (var method in work.InlinedCallees) Bodies[method.Key] = method;
        foreach (var method in work.Methods) Bodies[method.Spec.Key] = method.Spec;
        foreach (var callee in work.Callees) Signatures[callee.Key] = callee;
    }

    public ClassSpec Class { get; }

    /// <summary>Names generated locals must not take (the class's members, the runtime functions generated code calls), built once per class.</summary>
    public HashSet<string> Reserved { get; }
    public Dictionary<string, MethodSpec> Bodies { get; } = new();
    public Dictionary<string, CalleeSignature> Signatures { get; } = new();
}

/// <summary>
/// Generates everything one [Differentiable] method adds to its class: <c>{M}WithGradients</c> and its gradients type,
/// the forward-with-pullback variants that callers asked for (calls are calls, not copies), and the device program
/// (which inlines calls: fusing across a call is the device planner's job).
/// </summary>
internal static class MethodGenerator
{
    private const string GeneratedCode = GeneratedMembers.Attribute;

    /// <summary>Every member the method's generated code adds to the class.</summary>
    public static IEnumerable<string> MemberNames(MethodWork method)
    {
        var name = method.Spec.Name;
        yield return name + "WithGradients";
        yield return name + "Gradients";
        yield return name + "CudaSource";
        yield return name + "DeviceProgram";
        yield return InspectionWriter.MemberName(name);
        if (method.VjpMasks.Count == 0) yield break;
        var signature = Signature(method);
        yield return signature.CallGradientsClass;
        foreach (var mask in method.VjpMasks) yield return signature.VjpName(mask);
        if (HasOneCoreForBothEnds(method)) yield return CoreName(method);
    }

    /// <summary>
    /// Whether the two ends a public method exports (every tensor argument, none) are one pullback behind two entries
    /// (<see cref="MethodEmitter.WriteVjpCore"/>): when they are all callers ask for and the method calls nothing, so the
    /// two would differ only in the steps the arguments' gradients need (a call's forward depends on which gradients the
    /// caller wants: its callee's variant).
    /// </summary>
    private static bool HasOneCoreForBothEnds(MethodWork method)
    {
        var all = CallMasks.AllTensors(method.Spec);
        return all != 0 && !method.Spec.HasControlFlow && method.Summary.Sites.Count == 0
            && method.VjpMasks.Count == 2 && method.VjpMasks.Contains(all) && method.VjpMasks.Contains(0UL);
    }

    private static string CoreName(MethodWork method) => method.Spec.Name + "VjpCore";

    /// <summary>The method as its callers see it: the same record the call graph gave them, so names agree.</summary>
    private static CalleeSignature Signature(MethodWork method) =>
        new(method.Spec.Key, method.Spec.Name, method.Spec.Class.FullName, method.Spec.IsStatic, method.Spec.Arguments,
            method.Spec.CustomGradient?.BackwardMethod, IsValid: true, method.ReachedParameters);

    /// <summary>Writes the method's members; false (with diagnostics) when it cannot be differentiated.</summary>
    /// <remarks><paramref name="w"/> is the class's writer: the method's text is what it writes from here on.</remarks>
    public static bool Write(SourceWriter w, MethodWork method, GenerationContext context, List<DiagnosticInfo> diagnostics)
    {
        var start = w.Length;
        // A body with control flow is generated around the user's own if/while/for, statement by statement.
        if (method.Spec.HasControlFlow) return WriteControlFlow(w, start, method, context, diagnostics);
        var spec = method.Spec;
        var reserved = context.Reserved;
        var declared = CallMasks.Declared(spec);
        var signature = Signature(method);
        // When callers ask for the pullback that differentiates exactly what {M}WithGradients does, one derivative serves
        // both: {M}WithGradients calls it (a called layer's code is written once, not twice).
        var shared = method.VjpMasks.Contains(declared);
        // With one pullback core behind both exported ends, the core's derivative (every tensor argument) is computed once
        // and {M}WithGradients's is that derivative restricted to the declared leaves.
        var core = shared && HasOneCoreForBothEnds(method)
            ? Differentiate(method, context, CallMasks.AllTensors(spec), Parameters(method), inline: false, diagnostics)
            : null;
        var gradient = core is not null ? ReverseMode.Restrict(core, DeclaredLeaves(core, spec, declared))
            : Differentiate(method, context, declared, shared ? Parameters(method) : null, inline: false, diagnostics);
        if (gradient is null) return false;

        // The device program is written on another core while this thread writes the rest, each into text of its own, and
        // the parts go into the file in order. It starts now, with the device's graph, while this thread names the nodes; then
        // it reads the emitter's names (fixed once the emitter is made: what this thread's writing changes are the emitter's
        // caches of math, which the device does not read). It adds nodes only to the gradient's builder, which nothing here
        // reads (naming reads the nodes the derivative made; a variant's derivative has a builder of its own).
        var (indent, large) = (w.Indent, gradient.Method.Builder.Count >= OffloadFrom);
        var named = new System.Threading.Tasks.TaskCompletionSource<MethodEmitter?>();
        _ = gradient.Method.ForwardSet; // computed once, here, not by both threads at once (both read it)
        var device = Offloaded<(SourceWriter Text, bool HasCuda)>.Start(() =>
        {
            var text = SourceWriter.Part(indent);
            return (text, WriteDevice(text, method, context, gradient, named.Task, reserved));
        }, offload: large);

        // {M}WithGradients's emitter names the graph as the core's does: the same nodes, named once.
        MethodEmitter? coreEmitter = null, emitter = null;
        try
        {
            coreEmitter = core is null ? null : new MethodEmitter(core, reserved);
            emitter = coreEmitter?.Restricted(gradient) ?? new MethodEmitter(gradient, reserved);
        }
        finally
        {
            // A failure here fails the method; the device's half, if it is waiting, then stops too (it is never joined).
            named.SetResult(emitter);
        }

        WriteGradientsClass(w, emitter);
        w.Line();
        if (shared) emitter.WriteThroughVjp(w, signature.VjpName(declared), CallGradientNames(method));
        else emitter.Write(w);

        // The inspection shows the code that computes the gradient: the members so far and, when {M}WithGradients runs a
        // pullback, that pullback and the class it returns, not the variants written only for callers.
        var inspected = new List<TextRange> { w.Range(start) };
        if (method.VjpMasks.Count > 0) inspected.AddRange(WriteVjps(w, method, context, reserved, diagnostics, shared ? emitter : null, coreEmitter));

        // The C# is written, so the emitter's caches of math are no longer filled here: the inspection's graphs, which fill
        // them, go to another core too, while this thread copies the C# for the inspection and writes the summary (which
        // reads the emitter's names and variables, not its math).
        var graphs = Offloaded<SourceWriter>.Start(() => InspectionWriter.WriteGraphs(indent, gradient, emitter), offload: large);
        var code = InspectionWriter.WriteCode(indent, inspected);
        var summary = SourceWriter.Part(indent);
        WriteSummary(summary, method, context, emitter);
        var (deviceText, hasCuda) = device.Join();
        var inspection = new InspectionWriter.Parts(code, graphs.Join(), HasGraph: true);
        w.Line();
        w.AppendAndRecycle(deviceText);
        InspectionWriter.Write(w, spec, hasCuda, inspection);
        w.AppendAndRecycle(summary);
        return true;
    }

    /// <summary>
    /// Graphs of at least this many nodes have their device program and their inspection's graphs written on other threads
    /// (<see cref="Offloaded{T}"/>): a small method's take less time than waking a thread (the sample models' largest graphs
    /// have a few hundred nodes). An exception in either is rethrown here at the join, under the method's guard; when this
    /// thread fails first, they finish on their own, writing only into their own text and the method's own graph.
    /// </summary>
    private const int OffloadFrom = 2000;

    /// <summary>
    /// <c>{M}Summary</c>, for an instance method (a model's layer): a failure takes back what it wrote and leaves a
    /// comment, never half a member or a lost method; a user member of that name keeps it, and the method gets none.
    /// </summary>
    private static void WriteSummary(SourceWriter w, MethodWork method, GenerationContext context, MethodEmitter emitter)
    {
        var spec = method.Spec;
        if (spec.IsStatic) return;
        var name = MethodEmitter.SummaryMemberName(spec.Name);
        w.Line();
        if (context.Class.MemberNames.Contains(name))
        {
            w.Line($"// {spec.Name} has no generated {name}: {spec.Class.Name} declares a member of that name.");
            return;
        }
        var (mark, indent) = (w.Length, w.Indent);
        try
        {
            emitter.WriteSummary(w);
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            w.Truncate(mark, indent);
            w.Line($"// {spec.Name} has no {name}: {e.GetType().Name}: {e.Message.Replace('\n', ' ')}");
        }
    }

    private static bool WriteControlFlow(SourceWriter w, int start, MethodWork method, GenerationContext context, List<DiagnosticInfo> diagnostics)
    {
        if (!ControlFlowEmitter.Write(w, method, context, diagnostics)) return false;
        if (method.VjpMasks.Count > 0)
        {
            WriteCallGradientsClass(w, method);
            foreach (var mask in method.VjpMasks)
            {
                w.Line();
                if (!ControlFlowEmitter.WriteVjp(w, method, context, diagnostics, mask, Signature(method), Marker(method, mask)))
                    throw new System.InvalidOperationException($"{method.Spec.Name}: a pullback variant failed where its gradient succeeded");
            }
        }
        w.Line();
        var hasCuda = ControlFlowEmitter.WriteDevice(w, method, context);
        // Unlike a straight-line body's, this inspection keeps every pullback variant: written statement by statement, they
        // are not split by which one {M}WithGradients runs.
        InspectionWriter.Write(w, method.Spec, new[] { w.Range(start) }, hasCuda, gradient: null, emitter: null);
        if (!method.Spec.IsStatic)
        {
            w.Line();
            w.Line($"// {method.Spec.Name} has no {MethodEmitter.SummaryMemberName(method.Spec.Name)}: its body has control flow (if, loops), so which layers run and how often depends");
            w.Line($"// on the values; summarize a [Differentiable] method without control flow instead (one that calls {method.Spec.Name} shows it as one layer).");
        }
        return true;
    }

    /// <summary>The parameters a pullback returns gradients for: every one the method reaches (callers read them all).</summary>
    private static List<string> Parameters(MethodWork method) => method.Spec.IsStatic ? new List<string>() : method.ReachedParameters.ToList();

    /// <summary>Per leaf, its property in <c>{M}CallGradients</c>, as callers read it.</summary>
    private static System.Func<IR.Node, string> CallGradientNames(MethodWork method)
    {
        var (argumentNames, parameterNames) = Signature(method).GradientNames();
        return leaf => leaf.Op == IR.Op.Parameter ? parameterNames[leaf.Attributes.Text!] : argumentNames[IndexOfArgument(method.Spec, leaf.Attributes.Text!)];
    }

    private static Gradient? Differentiate(MethodWork method, GenerationContext context, ulong mask, IReadOnlyList<string>? parameterOutputs, bool inline,
        List<DiagnosticInfo> diagnostics)
    {
        var sites = new Dictionary<SourceSpot, CallSite>();
        foreach (var site in method.Summary.Sites) sites[site.Where] = site;
        var request = new LoweringRequest(method.Spec, mask, parameterOutputs, inline, context.Bodies, context.Signatures, sites);
        var lowered = Lowerer.Lower(request, diagnostics);
        return lowered is null ? null : ReverseMode.Differentiate(lowered);
    }

    /// <summary>
    /// The class a call's pullback returns, then one forward-with-pullback per argument mask callers asked for; the variant
    /// of the declared mask from <paramref name="declared"/>, the emitter {M}WithGradients already uses, when there is one.
    /// </summary>
    /// <returns>When <paramref name="declared"/> is given ({M}WithGradients runs one of these pullbacks), the text of the call gradients class and of that pullback.</returns>
    /// <param name="core">The emitter of the derivative with respect to every tensor argument, when <see cref="Write"/> made it already.</param>
    private static List<TextRange> WriteVjps(SourceWriter w, MethodWork method, GenerationContext context, HashSet<string> reserved, List<DiagnosticInfo> diagnostics,
        MethodEmitter? declared, MethodEmitter? core)
    {
        var classStart = w.Length;
        WriteCallGradientsClass(w, method);
        var gradientsClass = w.Range(classStart);
        var spec = method.Spec;
        var signature = Signature(method);
        // The emitter of a mask: {M}WithGradients's when it differentiates the same arguments, else a new derivative.
        MethodEmitter EmitterOf(ulong mask)
        {
            var emitter = declared is not null && mask == CallMasks.Declared(spec) ? declared
                : core is not null && mask == CallMasks.AllTensors(spec) ? core
                : new MethodEmitter(Differentiate(method, context, mask, Parameters(method), inline: false, diagnostics)
                    ?? throw new System.InvalidOperationException($"{spec.Name}: a pullback variant failed where its gradient succeeded"), reserved);
            emitter.NameProperties(signature.CallGradientsClass, CallGradientNames(method));
            return emitter;
        }

        var runByWithGradients = new List<TextRange>();
        if (HasOneCoreForBothEnds(method))
        {
            var all = CallMasks.AllTensors(spec);
            var coreEmitter = EmitterOf(all);
            // The entries first (what callers see), then the pullback behind them; {M}WithGradients runs its declared end's.
            var entries = new Dictionary<ulong, TextRange>();
            foreach (var mask in new[] { all, 0UL })
            {
                var entryStart = w.Length;
                w.Line();
                coreEmitter.WriteVjpEntry(w, signature.VjpName(mask), CoreName(method), arguments: mask == all, signature.CallGradientsClass, Marker(method, mask));
                entries[mask] = w.Range(entryStart);
            }
            var coreStart = w.Length;
            w.Line();
            coreEmitter.WriteVjpCore(w, CoreName(method), signature.CallGradientsClass);
            if (declared is not null) runByWithGradients.AddRange(new[] { gradientsClass, entries[CallMasks.Declared(spec)], w.Range(coreStart) });
            return runByWithGradients;
        }
        foreach (var mask in method.VjpMasks)
        {
            var emitter = EmitterOf(mask);
            var variantStart = w.Length;
            w.Line();
            emitter.WriteVjp(w, signature.VjpName(mask), signature.CallGradientsClass, Marker(method, mask));
            if (emitter == declared) runByWithGradients.AddRange(new[] { gradientsClass, w.Range(variantStart) });
        }
        return runByWithGradients;
    }

    /// <summary>
    /// On a pullback a public method exports to other assemblies (<see cref="CallMasks.Exported"/>), the attribute their
    /// generators find it by: the method's name and the parameters it reaches, which its gradients class names.
    /// </summary>
    private static string? Marker(MethodWork method, ulong mask)
    {
        if (!method.Spec.IsExported || !CallMasks.Exported(method.Spec).Contains(mask)) return null;
        var arguments = new[] { method.Spec.Name }.Concat(method.ReachedParameters).Select(s => "\"" + s + "\"");
        return $"[global::Differentiable.DifferentiablePullback({string.Join(", ", arguments)})]";
    }

    /// <summary>The class a call's pullback returns: the gradient of each tensor argument and of each parameter the method reaches.</summary>
    private static void WriteCallGradientsClass(SourceWriter w, MethodWork method)
    {
        var spec = method.Spec;
        var signature = Signature(method);
        var (argumentNames, parameterNames) = signature.GradientNames();
        w.Line();
        w.Line($"/// <summary>The gradients a call of {spec.Name} from another [Differentiable] method gets back from its pullback; an argument's is null unless the call asked for it.</summary>");
        w.Line(GeneratedCode);
        w.Open($"public sealed class {signature.CallGradientsClass}");
        foreach (var i in signature.TensorPositions())
            w.Line($"public Tensor {argumentNames[i]} {{ get; init; }} = null!;");
        foreach (var path in signature.ReachedParameters)
        {
            // A parameter of a list's elements: one gradient per element.
            var type = ParameterPath.IsList(path) ? "IReadOnlyList<Tensor>" : "Tensor";
            w.Line($"public {type} {parameterNames[path]} {{ get; init; }} = null!;");
        }
        w.Close();
    }

    /// <summary>The leaves {M}WithGradients differentiates, in the lowering's order: the parameters, then the declared tensor arguments.</summary>
    private static List<IR.Node> DeclaredLeaves(Gradient all, MethodSpec spec, ulong declared) =>
        all.Method.WrtLeaves.Where(leaf => leaf.Op != IR.Op.Input || (declared & CallMasks.Bit(IndexOfArgument(spec, leaf.Attributes.Text!))) != 0).ToList();

    private static int IndexOfArgument(MethodSpec spec, string name)
    {
        for (var i = 0; i < spec.Arguments.Count; i++) if (spec.Arguments[i].Name == name) return i;
        throw new System.InvalidOperationException($"no argument {name}");
    }

    /// <summary>
    /// The device program, for a method that calls nothing or that nothing calls: from the same gradient when it calls
    /// nothing, else from a lowering that inlines its callees, which may be too large (a comment then says so; the C#
    /// path is unaffected). True when it wrote <c>{M}CudaSource</c>.
    /// </summary>
    private static bool WriteDevice(SourceWriter w, MethodWork method, GenerationContext context, Gradient gradient, System.Threading.Tasks.Task<MethodEmitter?> named, HashSet<string> reserved)
    {
        // A training step is one program (one CUDA graph): the program of the method that is trained includes the kernels
        // of what it calls, fused across the calls. A method that both calls and is called is compiled only as part of its
        // callers', so a chain of calls costs its length once, not once per link.
        if (method.IsCalled && method.Summary.Sites.Count > 0)
        {
            w.Line($"// {method.Spec.Name} has no device program of its own: it calls other [Differentiable] methods and is called by some, whose device programs include its kernels.");
            return false;
        }
        var external = method.Summary.Sites.Select(s => context.Signatures.TryGetValue(s.CalleeKey, out var c) ? c : null).FirstOrDefault(c => c is { IsExternal: true } && !Lowering.Lowerer.IsPackageLayer(c));
        if (external is not null)
        {
            w.Line($"// {method.Spec.Name} has no device program: it calls {external.ClassFullName}.{external.Name}, compiled in {external.Assembly}, and a device program inlines");
            w.Line($"// the bodies of the methods it calls, which an assembly's metadata does not carry. Train it on the CPU ({method.Spec.Name}WithGradients calls the exported pullback).");
            return false;
        }
        if (method.Summary.Sites.Count > 0)
        {
            var refused = new List<DiagnosticInfo>();
            var inlined = Differentiate(method, context, CallMasks.Declared(method.Spec), parameterOutputs: null, inline: true, refused);
            if (inlined is null)
            {
                w.Line($"// {method.Spec.Name} has no device program: the device inlines calls, and {Reason(refused)}.");
                return false;
            }
            return new Cuda.DeviceEmitter(inlined, new MethodEmitter(inlined, reserved)).Write(w);
        }
        // The graph first (it needs only the derivative), then the names the C# emitter gives the same nodes.
        var graph = new Cuda.DeviceGraph(gradient);
        var emitter = named.Result ?? throw new System.InvalidOperationException("the method's nodes could not be named");
        return new Cuda.DeviceEmitter(gradient, emitter, graph).Write(w);
    }

    private static string Reason(List<DiagnosticInfo> refused) =>
        refused.Count == 0 ? "a callee could not be inlined" : string.Join("; ", refused.Select(d => d.ToDiagnostic().GetMessage(System.Globalization.CultureInfo.InvariantCulture)));

    private static void WriteGradientsClass(SourceWriter w, MethodEmitter method)
    {
        var lists = new Dictionary<string, GeneratedMembers.ListOutput>();
        foreach (var (property, leaf) in method.Outputs)
            if (leaf.Op == IR.Op.Parameter && ParameterPath.TrySplitList(leaf.Attributes.Text!, out var list, out var inElement))
                lists[property] = new GeneratedMembers.ListOutput(list, inElement);
        GeneratedMembers.WriteGradientsClass(w, method.MethodName, method.GradientsClass, method.Outputs.Select(o => (o.Property, method.NameOf(o.Leaf))).ToList(), lists);
    }
}
