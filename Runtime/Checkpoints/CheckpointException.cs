namespace Differentiable.Checkpoints;

/// <summary>
/// A checkpoint file cannot be written or does not fit what the reader expects: a corrupt or truncated file, a
/// tensor the model does not have, a shape or dtype that disagrees with the model. The message always starts with
/// the file and, where one tensor is at fault, names it. It derives from <see cref="IOException"/> so that callers
/// already handling I/O failures of a load or save catch it too.
/// </summary>
public class CheckpointException : IOException
{
    public CheckpointException(string filePath, string problem, string? tensorName = null, Exception? inner = null)
        : base($"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    /// <summary>The checkpoint file at fault.</summary>
    public string FilePath { get; }

    /// <summary>The tensor (parameter path) at fault, or null when the problem is the file as a whole.</summary>
    public string? TensorName { get; }
}
