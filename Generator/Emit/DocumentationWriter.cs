using System.Linq;
using Differentiable.Generator.Autodiff;

namespace Differentiable.Generator.Emit;

/// <summary>The XML doc of a generated method: the forward computation and each gradient, in math notation.</summary>
internal sealed class DocumentationWriter(MethodEmitter method, Gradient gradient)
{
    public void Write(SourceWriter w)
    {
        var spec = gradient.Method.Spec;
        var outputs = method.Outputs;
        var arguments = string.Join(", ", spec.Arguments.Select(a => a.Name));
        w.Line("/// <summary>");
        w.Line($"/// Computes <c>{spec.Name}({arguments})</c> and, by reverse-mode differentiation, its gradient with respect to "
               + (outputs.Count == 0 ? "nothing (no parameter or [Wrt] argument is reached)." : string.Join(", ", outputs.Select(o => Escape(method.NameOf(o.Leaf)))) + "."));
        w.Line("/// </summary>");
        w.Line("/// <remarks>");
        w.Line("/// <code>");
        w.Line("/// Forward:");
        // A call's forward-with-pullback is named in code; in the math its value (CallValue) already says F(x).
        foreach (var node in method.NamedForwardNodes.Where(n => n.Op != IR.Op.Call))
            w.Line($"///   {Escape(method.NameOf(node))} = {Escape(method.Math(node))}");
        w.Line($"/// Gradient (d_v = ∂L/∂v, L = Σ {method.SeedName} ⊙ {Escape(method.ResultName)}, ⊙ elementwise, · matrix product):");
        foreach (var (_, leaf) in outputs)
        {
            var terms = gradient.Steps.Where(s => s.Target == leaf).Select(method.AdjointMath).ToList();
            w.Line($"///   {Escape(method.AdjointOf(leaf))} = {(terms.Count == 0 ? "0" : Escape(string.Join("  +  ", terms)))}");
        }
        w.Line("/// </code>");
        w.Line("/// </remarks>");
        foreach (var argument in spec.Arguments)
            w.Line($"/// <param name=\"{argument.Name}\">As in <see cref=\"{spec.Name}\"/>.</param>");
        w.Line($"/// <param name=\"{method.SeedName}\">∂L/∂result, the gradient flowing into the result; ones when null, so a scalar loss gets its plain gradient.</param>");
        w.Line($"/// <returns>The value of <c>{spec.Name}</c> and the gradients.</returns>");
    }

    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
