namespace Differentiable;

/// <summary>
/// Thrown when tensor shapes do not fit an op. The message names the tensors as the caller wrote them
/// (through <c>CallerArgumentExpression</c>) because "shapes (100, 128) and (64)" alone rarely says which line is wrong.
/// </summary>
public class ShapeMismatchException : ArgumentException
{
    public ShapeMismatchException(string message) : base(message) { }

    public ShapeMismatchException(string message, Exception innerException) : base(message, innerException) { }
}
