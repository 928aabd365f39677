using System.Collections.Generic;
using System.Linq;

namespace Differentiable.Generator.Emit;

/// <summary>What every emitter writes the same way: the generated-code attribute and a method's gradients class.</summary>
internal static class GeneratedMembers
{
    public const string Attribute = "[global::System.CodeDom.Compiler.GeneratedCode(\"Differentiable.Generator\", \"1.0.0\")]";

    /// <summary>A gradient per element of a list of sub-modules: of <c>{List}[i].{InElement}</c>, named <c>{List}.i.{InElement}</c> in <c>All</c>.</summary>
    public sealed record ListOutput(string List, string InElement);

    /// <summary>
    /// <c>{className} : IGradients</c> for <c>{methodName}WithGradients</c>: one required property per output, documented as
    /// ∂L/∂name, and <c>All</c> listing them by name in order. A property in <paramref name="lists"/> holds one gradient
    /// per element of a list of sub-modules; <c>All</c> names them by index as PyTorch's state_dict does (<c>Layers.0.W</c>).
    /// </summary>
    public static void WriteGradientsClass(SourceWriter w, string methodName, string className, IReadOnlyList<(string Property, string Name)> outputs,
        IReadOnlyDictionary<string, ListOutput>? lists = null)
    {
        lists ??= new Dictionary<string, ListOutput>();
        w.Line($"/// <summary>The gradients computed by <see cref=\"{methodName}WithGradients\"/>, one per parameter or [Wrt] argument.</summary>");
        w.Line(Attribute);
        w.Open($"public sealed class {className} : IGradients");
        foreach (var (property, name) in outputs)
        {
            if (lists.TryGetValue(property, out var list))
            {
                w.Line($"/// <summary>∂L/∂{list.List}[i].{list.InElement}, one per element of {list.List}, each shaped like its parameter.</summary>");
                w.Line($"public required IReadOnlyList<Tensor> {property} {{ get; init; }}");
            }
            else
            {
                w.Line($"/// <summary>∂L/∂{name}, shaped like {name}.</summary>");
                w.Line($"public required Tensor {property} {{ get; init; }}");
            }
            w.Line();
        }
        w.Line("/// <inheritdoc/>");
        if (lists.Count == 0)
        {
            w.Line($"public IReadOnlyList<(string Name, Tensor Gradient)> All => new (string, Tensor)[] {{ {string.Join(", ", outputs.Select(o => $"(\"{o.Name}\", {o.Property})"))} }};");
            w.Close();
            return;
        }
        w.Open("public IReadOnlyList<(string Name, Tensor Gradient)> All");
        w.Open("get");
        w.Line("var all = new List<(string Name, Tensor Gradient)>();");
        for (var i = 0; i < outputs.Count;)
        {
            if (!lists.TryGetValue(outputs[i].Property, out var list))
            {
                w.Line($"all.Add((\"{outputs[i].Name}\", {outputs[i].Property}));");
                i++;
                continue;
            }
            w.Open($"for (var index = 0; index < {outputs[i].Property}.Count; index++)");
            for (; i < outputs.Count && lists.TryGetValue(outputs[i].Property, out var same) && same.List == list.List; i++)
                w.Line($"all.Add(($\"{same.List}.{{index}}.{same.InElement}\", {outputs[i].Property}[index]));");
            w.Close();
        }
        w.Line("return all;");
        w.Close();
        w.Close();
        w.Close();
    }
}
