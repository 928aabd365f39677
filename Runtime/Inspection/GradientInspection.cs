namespace Differentiable.Inspection;

/// <summary>
/// What the generator recorded about one [Differentiable] method, as <see cref="Inspect.Gradient"/> returns it (JAX's
/// <c>make_jaxpr(grad(f))</c>, Clad's <c>dump()</c>): the generated C# that computes its gradient, the CUDA kernels of its
/// device program, and its graph.
/// </summary>
/// <param name="Model">The class's name.</param>
/// <param name="Method">The [Differentiable] method's name.</param>
/// <param name="CSharp">The generated C# members of the method's CPU path: its gradients class, <c>{Method}WithGradients</c> and the pullbacks its callers use.</param>
/// <param name="Cuda">The CUDA source of its device program (<c>{Method}CudaSource</c>), or null when it has none (the generated code says why).</param>
/// <param name="Forward">The forward graph: the tensor inputs and parameters, then one node per generated forward statement, inputs first.</param>
/// <param name="Backward">
/// The backward graph: one node per adjoint <c>d_v = ∂L/∂v</c>, in the order the generated code completes them, starting
/// from the seed. Both graphs are empty for a body with control flow, which is differentiated statement by statement (see <see cref="CSharp"/>).
/// </param>
public sealed record GradientInspection(string Model, string Method, string CSharp, string? Cuda, IReadOnlyList<GraphNode> Forward, IReadOnlyList<GraphNode> Backward)
{
    /// <summary>Whether the method's graph was recorded (false for a body with if/while/for, differentiated statement by statement).</summary>
    public bool HasGraph => Forward.Count > 0;
}

/// <summary>One node of a forward or backward graph, named as in the generated code.</summary>
/// <param name="Name">The variable of the generated code (<c>h1</c>, <c>d_h1</c>), or the input's or parameter's name.</param>
/// <param name="Kind">
/// <c>input</c>, <c>parameter</c> or <c>constant</c> for a leaf; the runtime function a forward node calls (<c>relu</c>,
/// <c>matmul</c>, ...); <c>seed</c>, <c>adjoint</c> or <c>gradient</c> (an adjoint returned as a gradient) for a backward node.
/// </param>
/// <param name="Math">What the node computes, in the math notation of the generated comments (<c>relu(h1_matmul + B1)</c>).</param>
/// <param name="Inputs">The names of the nodes of the same graph it reads.</param>
/// <param name="Statement">The user's source statement it comes from, when there is one.</param>
/// <param name="Rule">For a backward node, the rule applications that make it, one per line (<c>h1 = relu(z)  ⇒  d_z = d_h1 ⊙ [h1 > 0]</c>).</param>
public sealed record GraphNode(string Name, string Kind, string Math, IReadOnlyList<string> Inputs, string? Statement = null, string? Rule = null);
