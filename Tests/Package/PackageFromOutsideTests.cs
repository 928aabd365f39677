namespace Differentiable.Tests.Package;

/// <summary>
/// The package as a new user gets it: <c>dotnet pack</c> into a folder feed, a fresh console project outside the
/// repository that installs <c>Differentiable</c> from that feed (with a package cache of its own, so a repacked
/// package is never served stale), models whose [Differentiable] methods call each other and the package's own layers
/// (<c>Differentiable.Nn.Linear</c>, <c>Conv2d</c>, <c>MaxPool2d</c>, <c>Flatten</c>, <c>Dropout</c> switched by <c>Eval()</c>, <c>LayerNorm</c>: calls across assemblies, through their exported pullbacks), built with warnings
/// as errors, run, and gradient-checked in float64. A generator that silently generates nothing (a Roslyn mismatch)
/// fails the build here: <c>LossWithGradients</c> would not exist.
/// </summary>
[Collection(PackedFeedCollection.Name)]
public sealed class PackageFromOutsideTests(PackedFeed packed)
{
    private const string UserProgram = """
        using Differentiable;
        using static Differentiable.Ops;
        using Nn = Differentiable.Nn;

        var mlp = new Mlp(seed: 3);
        var x = Tensor.Randn(new[] { 8, 5 }, new Rng(1));
        var y = new Labels(new[] { 0, 1, 2, 0, 1, 2, 0, 1 });
        var (loss, grads) = mlp.LossWithGradients(x, y);
        Console.WriteLine($"loss {loss.Item():F4}; gradients: {string.Join(", ", grads.All.Select(g => g.Name))}");
        var passed = Check(mlp, x, y, mlp.Loss, (xs, upstream) => mlp.LossWithGradients(xs, y, upstream).Gradients);

        var cnn = new Cnn();
        Console.WriteLine($"training: {cnn.IsTraining()}; after Eval: {cnn.Eval().IsTraining()}");
        var images = Tensor.Randn(new[] { 2, 1, 6, 6 }, new Rng(2));
        var digits = new Labels(new[] { 1, 2 });
        Console.WriteLine($"cnn parameters: {string.Join(", ", cnn.Parameters().Select(p => p.Name))}");
        passed &= Check(cnn, images, digits, cnn.Loss, (xs, upstream) => cnn.LossWithGradients(xs, digits, upstream).Gradients);
        return passed ? 0 : 1;

        // Float64 finite differences of loss(x, y) against the generated gradients of every parameter.
        static bool Check(IModule net, Tensor x, Labels y, Func<Tensor, Labels, Tensor> loss, Func<Tensor, Tensor?, IGradients> gradients)
        {
            net.ConvertTo(DType.Float64);
            var parameters = net.Parameters();
            var x64 = x.To(DType.Float64);
            void Set(Tensor[] values) { for (var i = 0; i < parameters.Count; i++) parameters[i].Value = values[i]; }
            var result = GradCheck.Check(
                values => { Set(values); return loss(x64, y); },
                (values, upstream) =>
                {
                    Set(values);
                    var all = gradients(x64, upstream).All.ToDictionary(g => g.Name, g => g.Gradient);
                    return parameters.Select(p => all[p.Name]).ToArray();
                },
                parameters.Select(p => p.Value).ToArray());
            Console.WriteLine(result);
            return result.Passed;
        }

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

        // The package's layers (compiled in Differentiable.Runtime) beside a layer of this project.
        public partial class Mlp
        {
            public Nn.Linear L1, L3;
            public Dense L2;
            public Mlp(int seed) { var rng = new Rng((ulong)seed); L1 = new Nn.Linear(5, 16, rng); L2 = new Dense(16, 16, rng); L3 = new Nn.Linear(16, 3, rng); }
            [Differentiable] public Tensor Forward(Tensor x) => L3.Forward(Activations.Swish(L2.Forward(Tanh(L1.Forward(x)))));
            [Differentiable] public Tensor Loss(Tensor x, Labels y) => CrossEntropy(Forward(x), y);
        }

        public partial class Cnn
        {
            public Nn.Conv2d Conv = new(1, 2, 3, seed: 4);
            public Nn.MaxPool2d Pool = new(2);
            public Nn.Flatten Flat = new();
            public Nn.Dropout Drop = new(0.5, seed: 6);
            public Nn.Linear Fc = new(2 * 2 * 2, 3, seed: 5);
            public Nn.LayerNorm Norm = new(3);
            [Differentiable] public Tensor Loss(Tensor x, Labels y) =>
                CrossEntropy(Norm.Forward(Fc.Forward(Drop.Forward(Flat.Forward(Pool.Forward(Relu(Conv.Forward(x))))))), y);
        }
        """;

    [Fact]
    public void A_fresh_project_installs_the_package_builds_without_warnings_and_its_gradients_check()
    {
        var project = packed.Folder("UserModel");
        var cache = packed.Folder("packages-user-model");
        packed.WriteNuGetConfig(project);
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
                <PackageReference Include="Differentiable" Version="{packed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), UserProgram);

        Assert.Single(Directory.GetFiles(packed.Feed, "Differentiable." + packed.Version + ".nupkg"));
        var build = PackedFeed.Run(project, cache, "build", "-c", "Release");
        Assert.Matches(@"(?m)^\s*0 Warning\(s\)", build);
        var output = PackedFeed.Run(project, cache, "run", "-c", "Release", "--no-build");
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(output, "gradcheck passed").Count);
        Assert.Contains("L1.W", output);
        Assert.Contains("training: True; after Eval: False", output);
        Assert.Contains("cnn parameters: Conv.W, Conv.B, Fc.W, Fc.B, Norm.W, Norm.B", output);
    }
}
