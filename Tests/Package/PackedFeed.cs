using System.Diagnostics;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.Package;

/// <summary>
/// Both packages a user installs, packed once for the tests that use them: <c>Differentiable</c> and
/// <c>Differentiable.Templates</c>, into a folder feed in a temporary directory, with a version of their own so nothing
/// in any package cache can stand in for them. Packing uses the machine's package cache (the generator's Roslyn comes
/// from there); each user project gets a cache of its own (<see cref="Run"/>).
/// </summary>
public sealed class PackedFeed : IDisposable
{
    public PackedFeed()
    {
        Work = Directory.CreateTempSubdirectory("differentiable-package-");
        Feed = Path.Combine(Work.FullName, "feed");
        Version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Guid.NewGuid().ToString("N")[..8];
        Run(RepositoryPaths.Root, null, "pack", Path.Combine("Runtime", "Differentiable.Runtime.csproj"), "-c", "Release", "-o", Feed, $"-p:Version={Version}");
        Run(RepositoryPaths.Root, null, "pack", Path.Combine("Templates", "Differentiable.Templates.csproj"), "-c", "Release", "-o", Feed, $"-p:Version={Version}");
    }

    public DirectoryInfo Work { get; }
    public string Feed { get; }
    public string Version { get; }

    /// <summary>A new folder inside the work directory.</summary>
    public string Folder(string name) => Directory.CreateDirectory(Path.Combine(Work.FullName, name)).FullName;

    /// <summary>A nuget.config in <paramref name="project"/> whose only source is the feed.</summary>
    public void WriteNuGetConfig(string project) => File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="local" value="{Feed}" />
          </packageSources>
        </configuration>
        """);

    /// <summary>
    /// Runs <c>dotnet</c> in <paramref name="directory"/>, with its own package cache when one is given and, when
    /// <paramref name="cliHome"/> is given, a CLI home of its own (so <c>dotnet new install</c> does not touch the user's);
    /// fails with everything it printed when it fails.
    /// </summary>
    public static string Run(string directory, string? packageCache, params string[] arguments) => RunWithHome(directory, packageCache, null, arguments);

    public static string RunWithHome(string directory, string? packageCache, string? cliHome, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (packageCache is not null) start.Environment["NUGET_PACKAGES"] = packageCache;
        if (cliHome is not null) start.Environment["DOTNET_CLI_HOME"] = cliHome;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8))) { process.Kill(entireProcessTree: true); Assert.Fail($"dotnet {string.Join(' ', arguments)} timed out\n{output}"); }
        var all = output + error.Result;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} in {directory} exited with {process.ExitCode}:\n{all}");
        return all;
    }

    public void Dispose()
    {
        try { Work.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The tests that install the packed packages: one pack for all of them, and never two packs at once.</summary>
[CollectionDefinition(Name)]
public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>
{
    public const string Name = "Packed feed";
}
