namespace Differentiable.Samples.Training;

/// <summary>The loss stopped being a number: the run cannot go on, and the command says so in one line.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
