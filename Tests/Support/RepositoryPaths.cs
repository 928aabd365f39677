using System.Runtime.CompilerServices;

namespace Differentiable.Tests.Support;

/// <summary>Paths in the repository, found from this file's location at build time.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", ".."));

    public static string SampleModels => Path.Combine(Root, "Samples", "Models");

    /// <summary>Where the Samples build writes the generated files (EmitCompilerGeneratedFiles).</summary>
    public static string SamplesGenerated => Path.Combine(Root, "Samples", "obj", "Generated", "Differentiable.Generator", "Differentiable.Generator.DifferentiableGenerator");

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
