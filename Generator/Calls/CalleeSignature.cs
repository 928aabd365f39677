using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Calls;

/// <summary>
/// What a caller needs to know of a [Differentiable] method to call it (calls are calls, not copies): its arguments,
/// whether it has a hand-written backward, the parameters it reads (its own and its sub-modules', by path relative to
/// its receiver), and the members its generated pullback returns. Equatable: a class's output depends on its callees'
/// signatures, not on their bodies. A callee compiled in another assembly (<see cref="Assembly"/>) is known from metadata
/// alone: its public <c>{M}Vjp</c> (every tensor argument's gradient) and, when it has one, <c>{M}VjpParametersOnly</c>.
/// </summary>
internal sealed record CalleeSignature(
    string Key,
    string Name,
    string ClassFullName,
    bool IsStatic,
    EquatableArray<ArgumentSpec> Arguments,
    string? CustomBackward,
    bool IsValid,
    EquatableArray<string> ReachedParameters,
    string? Assembly = null,
    bool HasParametersOnly = false)
{
    /// <summary>Compiled in another assembly: called through its exported pullbacks; the device cannot inline its body.</summary>
    public bool IsExternal => Assembly is not null;

    /// <summary>The class a call's pullback returns: one gradient per tensor argument and per parameter reached.</summary>
    public string CallGradientsClass => Name + "CallGradients";

    /// <summary>The generated forward-with-pullback for the tensor arguments in <paramref name="mask"/> (a bit per argument position).</summary>
    public string VjpName(ulong mask)
    {
        var tensors = TensorPositions().ToList();
        var included = tensors.Where(i => (mask & CallMasks.Bit(i)) != 0).ToList();
        // A library cannot know its callers' masks: it exports the two ends, and a caller reads what it needs.
        if (IsExternal) return included.Count == 0 && HasParametersOnly ? Name + "VjpParametersOnly" : Name + "Vjp";
        if (included.Count == tensors.Count) return Name + "Vjp";
        if (included.Count == 0) return Name + "VjpParametersOnly";
        return Name + "VjpOnly_" + string.Join("_", included.Select(i => Arguments[i].Name.TrimStart('@')));
    }

    public IEnumerable<int> TensorPositions() =>
        Enumerable.Range(0, Arguments.Count).Where(i => Arguments[i].Kind == ArgumentKind.Tensor);

    /// <summary>
    /// Property names of <see cref="CallGradientsClass"/>: tensor arguments by name, then parameters by path with '_' for '.',
    /// made unique in that order. Caller and callee both read them from here, so they always agree.
    /// </summary>
    public (IReadOnlyDictionary<int, string> Arguments, IReadOnlyDictionary<string, string> Parameters) GradientNames()
    {
        var taken = new HashSet<string> { CallGradientsClass };
        string Claim(string wanted)
        {
            var name = wanted;
            for (var k = 2; !taken.Add(name); k++) name = wanted + k;
            return name;
        }
        var arguments = new Dictionary<int, string>();
        foreach (var i in TensorPositions()) arguments[i] = Claim(Arguments[i].Name);
        var parameters = new Dictionary<string, string>();
        foreach (var path in ReachedParameters) parameters[path] = Claim(ParameterPath.PropertyName(path));
        return (arguments, parameters);
    }
}

/// <summary>Argument masks: which tensor arguments of a method a pullback differentiates, one bit per argument position.</summary>
internal static class CallMasks
{
    /// <summary>Positions past 63 share the last bit (an over-approximation: their gradients are computed together).</summary>
    public static ulong Bit(int position) => 1UL << System.Math.Min(position, 63);

    /// <summary>
    /// What a public [Differentiable] method exports for callers in other assemblies: every tensor argument, and (for an
    /// instance method with tensor arguments) none, the parameters only.
    /// </summary>
    public static IEnumerable<ulong> Exported(MethodSpec spec)
    {
        var all = AllTensors(spec);
        yield return all;
        if (all != 0 && !spec.IsStatic) yield return 0;
    }

    /// <summary>Every tensor argument of the method.</summary>
    public static ulong AllTensors(MethodSpec spec)
    {
        ulong all = 0;
        for (var i = 0; i < spec.Arguments.Count; i++)
            if (spec.Arguments[i].Kind == ArgumentKind.Tensor) all |= Bit(i);
        return all;
    }

    /// <summary>The declared [Wrt] arguments (all tensor arguments of a static method): what <c>{M}WithGradients</c> differentiates.</summary>
    public static ulong Declared(MethodSpec spec)
    {
        ulong mask = 0;
        for (var i = 0; i < spec.Arguments.Count; i++)
            if (spec.Arguments[i].Wrt) mask |= Bit(i);
        return mask;
    }

    /// <summary>
    /// Which arguments of the callee a call site needs gradients for, when its caller differentiates with respect to its
    /// parameters and the arguments in <paramref name="callerMask"/>: those whose value depends on either.
    /// </summary>
    public static ulong ForCall(CallSite site, ulong callerMask, CalleeSignature callee)
    {
        ulong mask = 0;
        foreach (var i in callee.TensorPositions())
        {
            if (i >= site.Arguments.Count) continue;
            var dependency = site.Arguments[i];
            if (dependency.Parameters || (dependency.CallerArguments & callerMask) != 0) mask |= Bit(i);
        }
        return mask;
    }
}
