namespace Differentiable.Fuzz.Cases;

/// <summary>The folder holding Differentiable.sln, found by walking up from the working directory or the binaries.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Differentiable.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Differentiable.sln not found above " + Environment.CurrentDirectory + " or " + AppContext.BaseDirectory);
    }
}
