using Differentiable.Cpu;

namespace Differentiable;

public static partial class Ops
{
    public static Tensor Exp(Tensor x) => x?.DType == DType.Float32 ? Dispatch.Float32(x, Exponentials.Exp) : Dispatch.Unary<ExpOp>(x!);

    public static Tensor Log(Tensor x) => x?.DType == DType.Float32 ? Dispatch.Float32(x, Exponentials.Log) : Dispatch.Unary<LogOp>(x!);

    public static Tensor Sqrt(Tensor x) => Dispatch.Unary<SqrtOp>(x);

    public static Tensor Abs(Tensor x) => Dispatch.Unary<AbsOp>(x);

    public static Tensor Sin(Tensor x) => x?.DType == DType.Float32 ? Dispatch.Float32(x, Trigonometry.Sin) : Dispatch.Unary<SinOp>(x!);

    public static Tensor Cos(Tensor x) => x?.DType == DType.Float32 ? Dispatch.Float32(x, Trigonometry.Cos) : Dispatch.Unary<CosOp>(x!);

    public static Tensor Tanh(Tensor x) => x?.DType == DType.Float32 ? Dispatch.Float32(x, Exponentials.Tanh) : Dispatch.Unary<TanhOp>(x!);

    /// <summary>1 / (1 + e^−x), exact in both tails (no overflow for large |x|).</summary>
    public static Tensor Sigmoid(Tensor x) => x?.DType == DType.Float32 ? Dispatch.Float32(x, Exponentials.Sigmoid) : Dispatch.Unary<SigmoidOp>(x!);

    public static Tensor Relu(Tensor x) => Dispatch.Unary<ReluOp>(x);

    /// <summary>−1, 0 or 1 by the sign of each element.</summary>
    public static Tensor Sign(Tensor x) => Dispatch.Unary<SignOp>(x);

    /// <summary>1 where x &gt; 0, else 0 (the derivative of Relu).</summary>
    public static Tensor Step(Tensor x) => Dispatch.Unary<StepOp>(x);
}
