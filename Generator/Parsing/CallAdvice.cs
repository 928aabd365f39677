using Microsoft.CodeAnalysis;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// What DIFF004 tells a user to write instead of a call the generator cannot differentiate: the advice depends on
/// what was called (a tensor leaving the graph, a tensor being created, System.Math on numbers, ...).
/// </summary>
internal static class CallAdvice
{
    public static string For(IMethodSymbol? method)
    {
        if (method is null)
            return "call Differentiable.Ops functions, Tensor methods, or methods marked [Differentiable] in this compilation";
        var type = method.ContainingType;
        if (type.Is(KnownTypes.Ops))
            return $"the generator has no derivative rule for Ops.{method.Name}; see the README for what a [Differentiable] body may call";
        if (type.Is(KnownTypes.Tensor) && !method.IsStatic)
            return method.Name == "Item"
                ? "Item() turns the tensor into a number, which leaves the graph and has no gradient; keep the value a tensor (Sum, Mean and Max reduce to one element, and tensors broadcast against one-element tensors)"
                : $"Tensor.{method.Name} reads the tensor's values out of the graph; use Ops functions on the tensor instead";
        if (type.Is(KnownTypes.Tensor))
            return "tensors cannot be created inside a [Differentiable] body: pass the tensor in as an argument, keep it in a tensor field of the model (a constant) or a [Parameter], or use a number (numbers broadcast)";
        if (type.ToDisplayString() is "System.Math" or "System.MathF")
            return MathReplacement(method.Name) is { } replacement
                ? $"System.Math works on numbers; for tensors call {replacement} from Differentiable.Ops"
                : "System.Math works on numbers; for tensors call Differentiable.Ops functions";
        if (method.HasAttribute(KnownTypes.DifferentiableAttribute))
            return "it is [Differentiable] in another assembly: call it with arguments that resolve to one method, statically or on this model or one of its sub-module fields";
        return "call Differentiable.Ops functions, Tensor methods, or methods marked [Differentiable] in this compilation";
    }

    private static string? MathReplacement(string name) => name switch
    {
        "Max" => "Maximum(a, b)",
        "Min" => "Minimum(a, b)",
        "Exp" or "Log" or "Sqrt" or "Abs" or "Sin" or "Cos" or "Tanh" => name + "(x)",
        "Pow" => "Pow(x, p)",
        "Sign" => "Sign(x)",
        _ => null,
    };
}
