namespace Differentiable;

/// <summary>
/// Marks a method whose body the Differentiable source generator compiles into forward and backward code.
/// The method still runs eagerly as ordinary C# (for debugging); the generator adds
/// <c>{Name}WithGradients(...)</c> next to it, returning the value and the gradients.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute;

/// <summary>Marks a trainable tensor field or property of a model class: the generated code returns its gradient.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = false)]
public sealed class ParameterAttribute : Attribute;

/// <summary>
/// Asks for the gradient with respect to this tensor argument of an instance method ("with respect to").
/// Static methods are differentiated with respect to all their tensor arguments.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class WrtAttribute : Attribute;

/// <summary>
/// Replaces the derived gradient of a static <c>[Differentiable]</c> method with a hand-written backward,
/// like a <c>torch.autograd.Function</c>. The backward method is static, in the same class, takes the
/// forward's tensor arguments followed by the upstream gradient, and returns one gradient per tensor argument
/// (a <see cref="Tensor"/> for one argument, a tuple of tensors for several).
/// Verify it with <see cref="GradCheck"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class CustomGradientAttribute(string backwardMethod) : Attribute
{
    public string BackwardMethod { get; } = backwardMethod;
}

/// <summary>
/// Marks a generated forward-with-pullback (<c>{Method}Vjp</c>, <c>{Method}VjpParametersOnly</c>) of a public
/// <c>[Differentiable]</c> method, so that the generator of another assembly can call <paramref name="method"/> from its
/// own <c>[Differentiable]</c> methods without its body: the pullback returns the gradient of every tensor argument and
/// of each parameter in <paramref name="reachedParameters"/> (dotted paths from the method's object, in order). Written by
/// the generator; not meant to be applied by hand.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public sealed class DifferentiablePullbackAttribute(string method, params string[] reachedParameters) : Attribute
{
    /// <summary>The <c>[Differentiable]</c> method this is the pullback of.</summary>
    public string Method { get; } = method;

    /// <summary>The parameters the method reads (its sub-modules' included), by dotted path: the pullback's gradients beside the arguments'.</summary>
    public IReadOnlyList<string> ReachedParameters { get; } = reachedParameters;
}
