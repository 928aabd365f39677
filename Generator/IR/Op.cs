namespace Differentiable.Generator.IR;

/// <summary>
/// The closed list of primitives. Everything a [Differentiable] body computes lowers to these; composites
/// (softmax, cross-entropy, mean squared error, ...) are built from them by the lowerer. Each has exactly one
/// entry in <see cref="Rules.RuleTable"/>: its derivative rule and its rendering.
/// </summary>
internal enum Op
{
    // Leaves.
    /// <summary>A tensor or labels argument of the method.</summary>
    Input,
    /// <summary>A [Parameter] tensor of the model, by path.</summary>
    Parameter,
    /// <summary>A tensor member that is not a parameter: a constant for differentiation.</summary>
    ConstantTensor,
    /// <summary>A number known at generation time.</summary>
    Constant,
    /// <summary>A number read at run time: C# text (a field, an argument, or arithmetic on those).</summary>
    ScalarRef,
    /// <summary>The adjoint (upstream gradient) of its input node, in backward code.</summary>
    AdjointRef,

    // Elementwise, broadcasting.
    Add, Sub, Mul, Div, Maximum, Minimum,
    Pow,
    Neg, Exp, Log, Sqrt, Abs, Sin, Cos, Tanh, Sigmoid, Relu,

    // Linear algebra and shape.
    MatMul, Transpose, Reshape,

    // Convolutional nets, on (N, C, H, W) tensors, with their window in the Window attribute; Concat's axis in Axis.
    Conv2d, MaxPool2d, AvgPool2d, Flatten, Concat,

    // Reductions along an axis (or all).
    Sum, Mean, Max, LogSumExp, ArgMax,

    // Labels.
    Gather,

    /// <summary>Stop-gradient: the value passes, the gradient does not.</summary>
    Detach,

    /// <summary>
    /// An inverted-dropout mask shaped like input 0: 0 with probability p (input 1), else 1/(1 − p), drawn from a generator
    /// seeded with input 2 — a pure function of its inputs, with no gradient (the mask is a constant of the step).
    /// </summary>
    DropoutMask,

    /// <summary>A call of a [Differentiable] method with a hand-written backward.</summary>
    CustomCall,

    /// <summary>
    /// A call of another generated [Differentiable] method, kept a call: its forward-with-pullback (Text: the member,
    /// Names: per input a number type to cast to, or ""). Its value is <see cref="CallValue"/>.
    /// </summary>
    Call,
    /// <summary>The value of a <see cref="Call"/>; its inputs after the call are what its gradient flows to (Names: the pullback's members).</summary>
    CallValue,

    // Used only in backward code: no derivative rule of their own.
    Sign, Step, ReluGradient, GreaterMask, MaxMask,
    SumToShapeOf, ExpandAlong, ExpandMeanAlong, ReshapeLike, ScatterLabels,
    MatMulTransposeA, MatMulTransposeB,
    Conv2dInputGradient, Conv2dWeightGradient, MaxPool2dBackward, AvgPool2dBackward, SliceLike,
    Seed,
    CustomBackward, TupleItem,
    /// <summary>A call's pullback applied to the upstream gradient; <see cref="CallGradient"/> picks one member (Text) of its result.</summary>
    CallPullback, CallGradient,
}
