namespace Differentiable;

public sealed partial class Tensor
{
    // Operators cannot capture argument expressions, so shape errors name the operands "a" and "b".
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b, "a", "b");
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Sub(a, b, "a", "b");
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Mul(a, b, "a", "b");
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Div(a, b, "a", "b");

    public static Tensor operator +(Tensor a, double b) => Ops.Add(a, b);
    public static Tensor operator -(Tensor a, double b) => Ops.Sub(a, b);
    public static Tensor operator *(Tensor a, double b) => Ops.Mul(a, b);
    public static Tensor operator /(Tensor a, double b) => Ops.Div(a, b);

    public static Tensor operator +(double a, Tensor b) => Ops.Add(a, b);
    public static Tensor operator -(double a, Tensor b) => Ops.Sub(a, b);
    public static Tensor operator *(double a, Tensor b) => Ops.Mul(a, b);
    public static Tensor operator /(double a, Tensor b) => Ops.Div(a, b);

    public static Tensor operator -(Tensor x) => Ops.Neg(x);
}
