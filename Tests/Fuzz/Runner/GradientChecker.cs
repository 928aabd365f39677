using System.Reflection;
using Differentiable.Fuzz.Cases;

namespace Differentiable.Fuzz.Runner;

/// <summary>
/// Checks a loaded random program: the value of <c>FWithGradients</c> against the eager <c>F</c>, and its gradient
/// against float64 central differences of <c>F</c> (<see cref="GradCheck"/>), with respect to the parameters of an
/// instance method or the tensor arguments of a static one. Returns null when both agree, else what differs; a value that
/// is not finite in the eager method too is <see cref="Unchecked"/>.
/// </summary>
public static class GradientChecker
{
    // Most random programs reach values in the hundreds, where central differences with ε = 1e-6 carry ~1e-8 of rounding;
    // products of products reach 1e7 and more (see Check).
    private const double RelativeTolerance = 1e-5, AbsoluteTolerance = 1e-6;

    public static string? Check(Assembly assembly, int n, CheckSpec spec)
    {
        var type = assembly.GetType($"Fuzz.Case{n}.M") ?? throw new InvalidOperationException($"Fuzz.Case{n}.M not found");
        var forward = type.GetMethod(spec.Method)!;
        var withGradients = type.GetMethod(spec.Method + "WithGradients") ?? throw new InvalidOperationException($"{spec.Method}WithGradients was not generated");
        var model = spec.IsStatic ? null : Activator.CreateInstance(type);
        var module = model as IModule;
        module?.ConvertTo(DType.Float64);
        var parameters = module?.Parameters() ?? Array.Empty<NamedParameter>();

        var rng = new Rng((ulong)n + 1);
        var args = spec.Arguments.Select(a => a.Shape is { } shape ? (object)Tensor.Randn(shape, rng, DType.Float64) : Number(a)).ToArray();
        var tensorArgs = spec.Arguments.Select((a, i) => (a, i)).Where(t => t.a.Shape is not null).Select(t => t.i).ToArray();
        var names = spec.IsStatic ? tensorArgs.Select(i => spec.Arguments[i].Name).ToArray() : parameters.Select(p => p.Name).ToArray();

        void Set(Tensor[] values)
        {
            for (var i = 0; i < values.Length; i++)
                if (spec.IsStatic) args[tensorArgs[i]] = values[i];
                else parameters[i].Value = values[i];
        }
        Tensor Eager() => (Tensor)forward.Invoke(model, args)!;
        (Tensor Value, IGradients Gradients) Generated(Tensor? seed)
        {
            var tuple = withGradients.Invoke(model, args.Append(seed).ToArray())!;
            return ((Tensor)tuple.GetType().GetField("Item1")!.GetValue(tuple)!, (IGradients)tuple.GetType().GetField("Item2")!.GetValue(tuple)!);
        }

        var inputs = spec.IsStatic ? tensorArgs.Select(i => (Tensor)args[i]).ToArray() : parameters.Select(p => p.Value).ToArray();
        var eager = Eager().ToDoubleArray();
        var value = Generated(null).Value.ToDoubleArray();
        if (eager.Length != value.Length) return $"value has {value.Length} elements, eager has {eager.Length}";
        for (var i = 0; i < eager.Length; i++)
            if (!(eager[i] == value[i] || Math.Abs(eager[i] - value[i]) <= 1e-9 * (1 + Math.Abs(eager[i]))) && !(double.IsNaN(eager[i]) && double.IsNaN(value[i])))
                return $"value[{i}] = {value[i]:R}, eager {eager[i]:R}";
        // Equal infinities (seed 7130613 found a program whose exp-of-log chain overflows) agree, but differences of them do not exist.
        if (Array.FindIndex(eager, v => !double.IsFinite(v)) is var infinite and >= 0)
            return Unchecked + $"value[{infinite}] = {eager[infinite]:R} in the eager method and the generated one alike";

        GradCheckResult CheckAt(double epsilon) => GradCheck.Check(
            values => { Set(values); return Eager(); },
            (values, upstream) =>
            {
                Set(values);
                var all = Generated(upstream).Gradients.All;
                return names.Select((name, i) => all.FirstOrDefault(g => g.Name == name).Gradient ?? (all.Count == names.Length ? all[i].Gradient : null)!).ToArray();
            },
            inputs, epsilon: epsilon, relativeTolerance: RelativeTolerance, absoluteTolerance: AbsoluteTolerance);
        // Products of products reach values of 1e7 and more, where central differences fail on their own: the truncation
        // error grows with ε² times the third derivative, the rounding error with |f|·1e-16/ε. So a failure is checked
        // again at a tenth of the step. When both difference quotients agree with each other (the check is sound there),
        // the gradient is wrong. When they do not, the quotient itself is unstable, and the gradient counts as wrong only
        // if no step from 1e-10 to 1e-3 agrees with it (seed 31415926 found two such programs: numeric −2.7e13 ∝ 1/ε for
        // an exact 0, and 1.7e-5 off at ε = 1e-6 but within 1.7e-7 at 1e-7; seed 77055123 one whose sine reads 3e6 times
        // the parameters, where a step of 1e-8 turns the sine a tenth of a radian and only 1e-9 to 1e-10 agree with the
        // gradient, to 1e-6: smaller steps cost |f|·1e-16/ε of rounding, under the tolerance for values of ordinary size).
        var first = CheckAt(1e-6);
        if (first.Passed) return null;
        var finer = CheckAt(1e-7);
        var stable = !finer.Passed && finer.InputIndex == first.InputIndex && finer.ElementIndex == first.ElementIndex
            && Math.Abs(finer.Numeric - first.Numeric) <= 1e-4 * Math.Abs(first.Numeric) + AbsoluteTolerance;
        if (stable) return $"gradient of {names[first.InputIndex]} (numeric {finer.Numeric:G9} at ε = 1e-7 too): {first}";
        if (finer.Passed) return null;
        foreach (var epsilon in new[] { 1e-5, 1e-8, 1e-4, 1e-3, 1e-9, 1e-10 })
            if (CheckAt(epsilon).Passed) return null;
        return $"gradient of {names[first.InputIndex]} (at every step from 1e-10 to 1e-3): {first}";
    }

    /// <summary>How a result that is not a failure begins: the value is not finite, so the gradient cannot be checked by differences.</summary>
    public const string Unchecked = "unchecked: ";

    private static object Number(Argument a) => a.Type switch
    {
        "double" => (object)a.Number,
        "float" => (object)(float)a.Number,
        "int" => (object)(int)a.Number,
        _ => throw new ArgumentException("number type " + a.Type),
    };
}
