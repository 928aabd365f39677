using System.Runtime.CompilerServices;

namespace Differentiable;

// Fluent forms of the Ops functions (x.Sum(1) == Ops.Sum(x, 1)), with identical semantics.
public sealed partial class Tensor
{
    public Tensor MatMul(Tensor other, [CallerArgumentExpression(nameof(other))] string? otherName = null) => Ops.MatMul(this, other, "this", otherName);

    public Tensor Transpose() => Ops.Transpose(this, "this");

    public Tensor Reshape(params int[] shape) => Ops.Reshape(this, shape);

    public Tensor Sum(int? axis = null, bool keepDims = false) => Ops.Sum(this, axis, keepDims, "this");

    public Tensor Norm() => Ops.Norm(this, "this");

    public Tensor Mean(int? axis = null, bool keepDims = false) => Ops.Mean(this, axis, keepDims, "this");

    public Tensor Max(int? axis = null, bool keepDims = false) => Ops.Max(this, axis, keepDims, "this");

    public Tensor ArgMax(int? axis = null) => Ops.ArgMax(this, axis, "this");

    public Tensor LogSumExp(int? axis = null, bool keepDims = false) => Ops.LogSumExp(this, axis, keepDims, "this");

    public Tensor Exp() => Ops.Exp(this);

    public Tensor Log() => Ops.Log(this);

    public Tensor Sqrt() => Ops.Sqrt(this);

    public Tensor Abs() => Ops.Abs(this);

    public Tensor Sin() => Ops.Sin(this);

    public Tensor Cos() => Ops.Cos(this);

    public Tensor Tanh() => Ops.Tanh(this);

    public Tensor Sigmoid() => Ops.Sigmoid(this);

    public Tensor Relu() => Ops.Relu(this);

    public Tensor Pow(double exponent) => Ops.Pow(this, exponent);

    public Tensor Detach() => Ops.Detach(this);
}
