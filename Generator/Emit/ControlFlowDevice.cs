using System.Linq;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Emit;

/// <summary>
/// The device program of a method whose body has control flow that cannot be recorded (a condition that reads tensor
/// values, <c>b.Norm().Item() &lt; 1000</c>, could never be a branch of one CUDA graph; or an op or call the recording
/// does not support): <c>{M}DeviceProgram</c> fails when a program is built, naming the method, saying why, and saying
/// to train it on the CPU.
/// </summary>
internal static class ControlFlowDevice
{
    public static void Write(SourceWriter w, MethodSpec spec, string why)
    {
        var name = $"{spec.Class.Name}.{spec.Name}";
        var numbers = spec.Arguments.Where(a => a.Kind is ArgumentKind.Scalar or ArgumentKind.Int).Select(a => $", {a.TypeName} {a.Name}");
        // The builder is 'p' in every device program, unless an argument has that name (then there is no program anyway).
        var builder = spec.Arguments.Any(a => a.Name == "p") ? "builder" : "p";
        while (spec.Arguments.Any(a => a.Name == builder)) builder += "_";
        w.Line($"/// <summary>{spec.Name} has control flow and no device program: building one fails with this explanation; train it on the CPU.</summary>");
        w.Line(GeneratedMembers.Attribute);
        w.Line($"public {(spec.IsStatic ? "static " : "")}void {spec.Name}DeviceProgram(global::Differentiable.Scheduling.ProgramBuilder {builder}{string.Concat(numbers)}) =>");
        w.Line($"    throw new global::System.NotSupportedException(\"{name} has no device program: {why}. Train it on the CPU (--device cpu).\");");
    }
}
