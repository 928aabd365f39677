// Fuzz case all:86753091:2932 (found by seed 86753091), minimized: LayeredMLP's foreach called checked(layer.Forward)(h).
// The parser took the receiver from the call's expression only when that was a member access, and anything else
// fell back to "this": the sub-module's method was called on the model, and its body read W and B there (CS0103 in
// generated code). A call of an instance [Differentiable] method that is not by name is now DIFF004 at the call.
using Differentiable;
using static Differentiable.Ops;

public partial class Layer
{
    [Parameter] public Tensor W = Tensor.Ones(new[] { 3, 3 }), B = Tensor.Zeros(new[] { 3 });

    [Differentiable]
    public Tensor Forward(Tensor x) => x.MatMul(W) + B;
}

public partial class Net
{
    public Layer L1 = new();
    public Layer[] Layers = { new(), new() };

    [Differentiable]
    public Tensor Forward(Tensor x) => checked(L1.Forward)(x);

    [Differentiable]
    public Tensor Stack(Tensor x)
    {
        var h = x;
        foreach (var layer in Layers) h = checked(layer.Forward)(h);
        return h;
    }
}
