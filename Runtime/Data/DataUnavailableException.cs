namespace Differentiable.Data;

/// <summary>
/// The default data set could not be obtained (npm missing, offline, timed out). The message says how to get the data
/// instead; it is distinct from <see cref="DataFormatException"/> so callers can tell "absent" from "corrupt".
/// </summary>
public class DataUnavailableException : Exception
{
    public DataUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}
