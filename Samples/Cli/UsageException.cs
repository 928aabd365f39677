namespace Differentiable.Samples.Cli;

/// <summary>A mistake in the command line found after parsing (an option that needs a GPU, an empty path): one line, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
