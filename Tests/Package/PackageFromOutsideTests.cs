using System.Diagnostics;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.Package;

/// <summary>
/// The package as a new user gets it: <c>dotnet pack</c> into a folder feed, a fresh console project outside the
/// repository that installs <c>Differentiable</c> from that feed (with a package cache of its own, so a repacked
/// package is never served stale), a model with [Differentiable] methods that call each other, built with warnings
/// as errors, run, and gradient-checked in float64. A generator that silently generates nothing (a Roslyn mismatch)
/// fails the build here: <c>LossWithGradients</c> would not exist.
/// </summary>
public sealed class PackageFromOutsideTests
{
    private const string UserProgram = """
        using Differentiable;
        using static Differentiable.Ops;

        var net = new Mlp(seed: 3);
        var x = Tensor.Randn(new[] { 8, 5 }, new Rng(1));
        var y = new Labels(new[] { 0, 1, 2, 0, 1, 2, 0, 1 });
        var (loss, grads) = net.LossWithGradients(x, y);
        Console.WriteLine($"loss {loss.Item():F4}; gradients: {string.Join(", ", grads.All.Select(g => g.Name))}");

        net.ConvertTo(DType.Float64);
        var parameters = net.Parameters();
        var x64 = x.To(DType.Float64);
        void Set(Tensor[] values) { for (var i = 0; i < parameters.Count; i++) parameters[i].Value = values[i]; }
        var result = GradCheck.Check(
            values => { Set(values); return net.Loss(x64, y); },
            (values, upstream) =>
            {
                Set(values);
                var gradients = net.LossWithGradients(x64, y, upstream).Gradients.All.ToDictionary(g => g.Name, g => g.Gradient);
                return parameters.Select(p => gradients[p.Name]).ToArray();
            },
            parameters.Select(p => p.Value).ToArray());
        Console.WriteLine(result);
        return result.Passed ? 0 : 1;

        public partial class Dense
        {
            [Parameter] public Tensor W, B;
            public Dense(int inputs, int outputs, Rng rng) { W = Tensor.Randn(new[] { inputs, outputs }, rng) * 0.3; B = Tensor.Zeros(outputs); }
            [Differentiable] public Tensor Forward(Tensor x) => x.MatMul(W) + B;
        }

        public static partial class Activations
        {
            [Differentiable] public static Tensor Swish(Tensor z) => z * Sigmoid(z);
        }

        public partial class Mlp
        {
            public Dense L1, L2, L3;
            public Mlp(int seed) { var rng = new Rng((ulong)seed); L1 = new Dense(5, 16, rng); L2 = new Dense(16, 16, rng); L3 = new Dense(16, 3, rng); }
            [Differentiable] public Tensor Forward(Tensor x) => L3.Forward(Activations.Swish(L2.Forward(Tanh(L1.Forward(x)))));
            [Differentiable] public Tensor Loss(Tensor x, Labels y) => CrossEntropy(Forward(x), y);
        }
        """;

    [Fact]
    public void A_fresh_project_installs_the_package_builds_without_warnings_and_its_gradients_check()
    {
        var work = Directory.CreateTempSubdirectory("differentiable-package-");
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            var cache = Path.Combine(work.FullName, "packages");
            var project = Path.Combine(work.FullName, "UserModel");
            Directory.CreateDirectory(project);
            // A version of its own: nothing in any cache can stand in for the package packed now.
            var version = "0.0.0-test." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Guid.NewGuid().ToString("N")[..8];

            // Packing uses the machine's package cache (the generator's Roslyn comes from there); only the user's project,
            // which must find this package and nothing else, gets a cache of its own.
            Run(RepositoryPaths.Root, null, "pack", Path.Combine("Runtime", "Differentiable.Runtime.csproj"), "-c", "Release", "-o", feed, $"-p:Version={version}");
            Assert.Single(Directory.GetFiles(feed, "Differentiable." + version + ".nupkg"));

            File.WriteAllText(Path.Combine(project, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(project, "UserModel.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Differentiable" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(project, "Program.cs"), UserProgram);

            var build = Run(project, cache, "build", "-c", "Release");
            Assert.Matches(@"(?m)^\s*0 Warning\(s\)", build);
            var output = Run(project, cache, "run", "-c", "Release", "--no-build");
            Assert.Contains("gradcheck passed", output);
            Assert.Contains("L1.W", output);
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Runs <c>dotnet</c> with its own package cache; fails with everything it printed when it fails.</summary>
    private static string Run(string directory, string? packageCache, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (packageCache is not null) start.Environment["NUGET_PACKAGES"] = packageCache;
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
}
