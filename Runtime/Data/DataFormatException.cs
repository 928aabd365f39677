namespace Differentiable.Data;

/// <summary>
/// A data file exists but its contents are not what the loader expects (wrong magic number, truncated, labels out of
/// range, image and label counts that disagree...). The message always names the file and the specific problem.
/// It derives from <see cref="IOException"/> because <see cref="InvalidDataException"/>, the natural base, is sealed;
/// an invalid gzip stream is reported as this exception with the <see cref="InvalidDataException"/> as inner exception.
/// </summary>
public class DataFormatException : IOException
{
    public DataFormatException(string filePath, string problem, Exception? inner = null)
        : base($"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
    }

    /// <summary>The file at fault (for a mismatch between two files, the first of them).</summary>
    public string FilePath { get; }
}
