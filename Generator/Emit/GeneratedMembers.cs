using System.Collections.Generic;
using System.Linq;

namespace Differentiable.Generator.Emit;

/// <summary>What every emitter writes the same way: the generated-code attribute and a method's gradients class.</summary>
internal static class GeneratedMembers
{
    public const string Attribute = "[global::System.CodeDom.Compiler.GeneratedCode(\"Differentiable.Generator\", \"1.0.0\")]";

    /// <summary>
    /// <c>{className} : IGradients</c> for <c>{methodName}WithGradients</c>: one required property per output, documented as
    /// ∂L/∂name, and <c>All</c> listing them by name in order.
    /// </summary>
    public static void WriteGradientsClass(SourceWriter w, string methodName, string className, IReadOnlyList<(string Property, string Name)> outputs)
    {
        w.Line($"/// <summary>The gradients computed by <see cref=\"{methodName}WithGradients\"/>, one per parameter or [Wrt] argument.</summary>");
        w.Line(Attribute);
        w.Open($"public sealed class {className} : IGradients");
        foreach (var (property, name) in outputs)
        {
            w.Line($"/// <summary>∂L/∂{name}, shaped like {name}.</summary>");
            w.Line($"public required Tensor {property} {{ get; init; }}");
            w.Line();
        }
        w.Line("/// <inheritdoc/>");
        w.Line($"public IReadOnlyList<(string Name, Tensor Gradient)> All => new (string, Tensor)[] {{ {string.Join(", ", outputs.Select(o => $"(\"{o.Name}\", {o.Property})"))} }};");
        w.Close();
    }
}
