using System.Text.Json;
using System.Xml.Linq;
using Differentiable.Data;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.Package;

/// <summary>
/// The <c>dotnet new</c> template as a new user meets it: <c>dotnet new install</c> of the packed template package (in a CLI
/// home of the test's own), <c>dotnet new differentiable</c> in a folder outside the repository, a build against the
/// packed <c>Differentiable</c> with warnings as errors, and one epoch of training on 10,000 made-up digits in the
/// default digits' file format (no network), which must report a loss and a test accuracy.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class TemplateFromOutsideTests(PackedFeed packed)
{
    [Fact]
    public void The_template_makes_a_project_that_builds_without_warnings_and_trains()
    {
        var home = packed.Folder("cli-home");
        var cache = packed.Folder("packages-template");
        var parent = packed.Folder("from-template");
        var templates = Path.Combine(packed.Feed, "Differentiable.Templates." + packed.Version + ".nupkg");
        Assert.True(File.Exists(templates), $"no template package {templates}");

        var installed = PackedFeed.RunWithHome(parent, cache, home, "new", "install", templates);
        Assert.Contains("differentiable", installed);
        PackedFeed.RunWithHome(parent, cache, home, "new", "differentiable", "-o", "MyNet", "--DifferentiableVersion", packed.Version);
        var project = Path.Combine(parent, "MyNet");
        Assert.True(File.Exists(Path.Combine(project, "MyNet.csproj")), "the project is named after the folder");
        packed.WriteNuGetConfig(project);

        var build = PackedFeed.RunWithHome(project, cache, home, "build", "-c", "Release", "-p:TreatWarningsAsErrors=true");
        Assert.Matches(@"(?m)^\s*0 Warning\(s\)", build);
        // The generated gradient is where the project says it is, for the user to read.
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(project, "obj", "Generated"), "*Model.g.cs", SearchOption.AllDirectories));

        var data = packed.Folder("template-digits");
        WriteMadeUpDigits(data);
        var output = PackedFeed.RunWithHome(project, cache, home, "run", "-c", "Release", "--no-build", "--", "--epochs", "1", "--data", data);
        Assert.Contains("8000 training and 2000 test images", output);
        Assert.Matches(@"epoch 1: mean loss \d+\.\d{4}, test accuracy", output);
    }

    /// <summary>10,000 images of noise with labels 0–9, under the default digits' cache names: what <see cref="DefaultDigits.Load"/> reads.</summary>
    private static void WriteMadeUpDigits(string directory)
    {
        const int count = DefaultDigits.TotalCount;
        var random = new Random(7);
        var pixels = new byte[count * 28 * 28];
        random.NextBytes(pixels);
        var labels = Enumerable.Range(0, count).Select(i => i % 10).ToArray();
        IdxWriter.WriteImages(Path.Combine(directory, DefaultDigits.ImagesFileName), pixels, count, 28, 28);
        IdxWriter.WriteLabels(Path.Combine(directory, DefaultDigits.LabelsFileName), labels);
    }
}

/// <summary>The template's default package version, the template package's and the runtime package's are one version.</summary>
public sealed class TemplateVersionTests
{
    [Fact]
    public void The_templates_default_package_version_is_the_packages_version()
    {
        var runtime = PackageVersion(Path.Combine(RepositoryPaths.Root, "Runtime", "Differentiable.Runtime.csproj"));
        var templates = PackageVersion(Path.Combine(RepositoryPaths.Root, "Templates", "Differentiable.Templates.csproj"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Templates", "templates", "differentiable-app", ".template.config", "template.json")));
        var defaultVersion = json.RootElement.GetProperty("symbols").GetProperty("DifferentiableVersion").GetProperty("defaultValue").GetString();
        Assert.Equal(runtime, templates);
        Assert.Equal(runtime, defaultVersion);
    }

    private static string PackageVersion(string csproj) =>
        XDocument.Load(csproj).Descendants("Version").Single().Value;
}
