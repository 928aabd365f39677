using Differentiable.DeviceChecks;
using Differentiable.Nn;
using Differentiable.Scheduling;
using Differentiable.Tests.Support.Emulation;
using NnDropout = Differentiable.Nn.Dropout;
using Differentiable.Tests.Support;
using static Differentiable.Ops;

namespace Differentiable.Tests.Layers;

/// <summary>
/// The package's parameter-free layers (<c>Nn.MaxPool2d</c>, <c>Nn.AvgPool2d</c>, <c>Nn.Flatten</c>, <c>Nn.Dropout</c>) called
/// from a model of another assembly, gradient-checked in float64 through their exported pullbacks, and dropout's
/// train/eval behaviour (PyTorch's semantics: identity in evaluation, drop with p and scale by 1/(1 − p) in training).
/// </summary>
public class NnLayerTests
{
    private const string PoolingModel = """
        using Differentiable;
        using static Differentiable.Ops;
        using Nn = Differentiable.Nn;

        public partial class Net
        {
            public Nn.Conv2d Conv = new(2, 3, 3, seed: 4);
            public Nn.MaxPool2d Max = new(3, stride: 2, padding: 1);
            public Nn.AvgPool2d Avg = new(2);
            public Nn.Flatten Flat = new();
            public Nn.Linear Fc = new(3 * 2 * 2, 4, seed: 5);

            [Differentiable]
            public Tensor Forward([Wrt] Tensor x) => Fc.Forward(Flat.Forward(Avg.Forward(Max.Forward(Tanh(Conv.Forward(x))))));
        }
        """;

    [Fact]
    public void PoolingAndFlattenLayersGradientCheckInAModel()
    {
        var run = GeneratorHarness.Run(PoolingModel);
        Assert.Empty(run.GeneratorDiagnostics);
        var generated = run.Sources["Net.g.cs"];
        Assert.Contains("Max.ForwardVjp(", generated);
        Assert.Contains("Avg.ForwardVjp(", generated);
        Assert.Contains("Flat.ForwardVjp(", generated);
        var model = Activator.CreateInstance(run.Load().GetType("Net")!)!;
        Assert.Equal(new[] { "Conv.W", "Conv.B", "Fc.W", "Fc.B" }, ((IModule)model).Parameters().Select(p => p.Name));
        // x (2, 2, 9, 9) → conv 7×7 → max pool k3 s2 p1 4×4 → avg pool k2 2×2 → flatten 12 → 4; every parameter and x.
        GeneratedGradCheck.Check(model, "Forward", GeneratedGradCheck.Random(2, 2, 9, 9));
    }

    [Fact]
    public void PoolingLayersComputeWhatTheOpsCompute()
    {
        var x = Tensor.Randn(new[] { 2, 3, 7, 7 }, new Rng(3), DType.Float64);
        var max = new Differentiable.Nn.MaxPool2d(3, stride: 2, padding: 1);
        Assert.Equal((3, 2, 1), (max.Kernel, max.Stride, max.Padding));
        Assert.Equal(MaxPool2d(x, 3, stride: 2, padding: 1).ToDoubleArray(), max.Forward(x).ToDoubleArray());
        var avg = new Differentiable.Nn.AvgPool2d(2);
        Assert.Equal((2, 2, 0), (avg.Kernel, avg.Stride, avg.Padding));
        Assert.Equal(AvgPool2d(x, 2).ToDoubleArray(), avg.Forward(x).ToDoubleArray());
        Assert.Equal(new[] { 2, 3 * 7 * 7 }, new Differentiable.Nn.Flatten().Forward(x).Shape);
        // The window the generated code reads is the constructor's: its pullback routes to the maxima of that window.
        var (y, pullback) = max.ForwardVjp(x);
        var dy = Tensor.Randn(y.Shape.ToArray(), new Rng(4), DType.Float64);
        Assert.Equal(GradientOps.MaxPool2dBackward(dy, x, kernel: 3, stride: 2, padding: 1).ToDoubleArray(), pullback(dy).x.ToDoubleArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new Differentiable.Nn.MaxPool2d(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Differentiable.Nn.AvgPool2d(2, padding: 2));
    }

    [Fact]
    public void AWindowFromAnIntMemberOfALayerInTheSameAssemblyReachesTheDeviceProgram()
    {
        var run = GeneratorHarness.Run("""
            using Differentiable;
            using static Differentiable.Ops;

            public partial class Pool
            {
                public int K = 2;
                public int S { get; init; } = 1;

                [Differentiable]
                public Tensor Forward(Tensor x) => MaxPool2d(x, K, stride: S);
            }

            public partial class Net
            {
                [Parameter] public Tensor W = Tensor.Randn(new[] { 2, 1, 1 }, new Rng(2), DType.Float64);
                public Pool P = new() { K = 3, S = 2 };

                [Differentiable]
                public Tensor Forward([Wrt] Tensor x) => Sum(P.Forward(x * W));
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("MaxPool2d(x, kernel: K, stride: S)", run.Sources["Pool.g.cs"]);
        // The device program inlines the layer's body: the window is the sub-module's members, read when it runs.
        Assert.Contains("P.K, P.S, 0)", run.Sources["Net.g.cs"]);
        var model = Activator.CreateInstance(run.Load().GetType("Net")!)!;
        GeneratedGradCheck.Check(model, "Forward", GeneratedGradCheck.Random(1, 2, 7, 7));
    }

    [Fact]
    public void AWindowOfANonIntegerMemberIsAnErrorSayingWhatIsAccepted()
    {
        var run = GeneratorHarness.Run("""
            using Differentiable;
            using static Differentiable.Ops;

            public partial class Pool
            {
                public double K = 2;

                [Differentiable]
                public Tensor Forward([Wrt] Tensor x) => MaxPool2d(x, (int)K);
            }
            """);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Contains("int field or property", diagnostic.GetMessage());
    }

    [Fact]
    public void LayerNormGradientChecksAndNormalisesTheLastAxisAsPyTorchDoes()
    {
        var run = GeneratorHarness.Run("""
            using Differentiable;
            using static Differentiable.Ops;
            using Nn = Differentiable.Nn;

            public partial class Net
            {
                public Nn.Linear Fc = new(5, 6, seed: 3);
                public Nn.LayerNorm Norm = new(6);

                [Differentiable]
                public Tensor Forward([Wrt] Tensor x) => Tanh(Norm.Forward(Fc.Forward(x)));
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        var model = Activator.CreateInstance(run.Load().GetType("Net")!)!;
        Assert.Equal(new[] { "Fc.W", "Fc.B", "Norm.W", "Norm.B" }, ((IModule)model).Parameters().Select(p => p.Name));
        // Move W and B off their ones and zeros, so that their gradients are checked at a general point.
        dynamic dynamicModel = model;
        var norm = (LayerNorm)dynamicModel.Norm;
        norm.W = Tensor.Uniform(new[] { 6 }, 0.5, 1.5, new Rng(4));
        norm.B = Tensor.Uniform(new[] { 6 }, -0.5, 0.5, new Rng(5));
        GeneratedGradCheck.Check(model, "Forward", GeneratedGradCheck.Random(4, 5));

        // Values: (x − mean) / √(biased variance + eps) per row, here on a (2, 3, 4) input.
        var layer = new LayerNorm(4, eps: 1e-5);
        var x = Tensor.Randn(new[] { 2, 3, 4 }, new Rng(6), DType.Float64);
        layer.W = layer.W.To(DType.Float64);
        layer.B = layer.B.To(DType.Float64);
        var xs = x.ToDoubleArray();
        var ys = layer.Forward(x).ToDoubleArray();
        for (var row = 0; row < 6; row++)
        {
            var values = xs.Skip(4 * row).Take(4).ToArray();
            var mean = values.Average();
            var variance = values.Select(v => (v - mean) * (v - mean)).Average();
            for (var k = 0; k < 4; k++) Assert.Equal((values[k] - mean) / Math.Sqrt(variance + 1e-5), ys[4 * row + k], 12);
        }
    }

    [Fact]
    public void DropoutIsTheIdentityInEvaluation()
    {
        var layer = new NnDropout(0.5, seed: 3);
        Assert.True(layer.Training);
        var x = Tensor.Randn(new[] { 4, 6 }, new Rng(1), DType.Float64);
        layer.Eval();
        Assert.False(layer.Training);
        Assert.Equal(x.ToDoubleArray(), layer.Forward(x).ToDoubleArray());
        var (y, pullback) = layer.ForwardVjp(x);
        Assert.Equal(x.ToDoubleArray(), y.ToDoubleArray());
        var dy = Tensor.Randn(new[] { 4, 6 }, new Rng(2), DType.Float64);
        Assert.Equal(dy.ToDoubleArray(), pullback(dy).x.ToDoubleArray());
    }

    [Fact]
    public void DropoutInTrainingDropsWithPAndScalesByOneOverOneMinusP()
    {
        const double p = 0.3;
        var layer = new NnDropout(p, seed: 5);
        var x = Tensor.Uniform(new[] { 200, 50 }, 1, 2, new Rng(1), DType.Float64);
        var y = layer.Forward(x).ToDoubleArray();
        var xs = x.ToDoubleArray();
        var dropped = 0;
        for (var i = 0; i < y.Length; i++)
        {
            if (y[i] == 0) dropped++;
            else Assert.Equal(xs[i] / (1 - p), y[i], 12);
        }
        // 10,000 Bernoulli(0.3) draws: 3,000 ± 46 (one standard deviation); five deviations either way.
        Assert.InRange(dropped, 3000 - 230, 3000 + 230);
        // A fresh mask per call.
        Assert.NotEqual(y, layer.Forward(x).ToDoubleArray());
    }

    [Fact]
    public void DropoutIsReproducibleFromItsSeedAndItsBackwardUsesItsForwardsMask()
    {
        var x = Tensor.Randn(new[] { 8, 10 }, new Rng(1), DType.Float64);
        var a = new NnDropout(0.5, new Rng(9));
        var b = new NnDropout(0.5, new Rng(9));
        for (var call = 0; call < 3; call++) Assert.Equal(a.Forward(x).ToDoubleArray(), b.Forward(x).ToDoubleArray());

        var (y, pullback) = a.ForwardVjp(x);
        var dy = Tensor.Randn(new[] { 8, 10 }, new Rng(2), DType.Float64);
        var dx = pullback(dy).x.ToDoubleArray();
        var (ys, xs, dys) = (y.ToDoubleArray(), x.ToDoubleArray(), dy.ToDoubleArray());
        for (var i = 0; i < dx.Length; i++) Assert.Equal(dys[i] * (ys[i] / xs[i]), dx[i], 12);   // d_x = d_y ⊙ mask, mask = y / x
    }

    [Fact]
    public void DropoutMaskIsAPureFunctionOfItsSeedWithNoGradient()
    {
        var x = Tensor.Randn(new[] { 3, 4 }, new Rng(1), DType.Float64);
        Assert.Equal(DropoutMask(x, 0.5, 17).ToDoubleArray(), DropoutMask(x, 0.5, 17).ToDoubleArray());
        Assert.All(DropoutMask(x, 0, 17).ToDoubleArray(), m => Assert.Equal(1.0, m));
        Assert.All(DropoutMask(x, 0.5, 17).ToDoubleArray(), m => Assert.True(m == 0 || m == 2));
        var run = GeneratorHarness.Run("""
            using Differentiable;
            using static Differentiable.Ops;

            public static partial class F
            {
                [Differentiable]
                public static Tensor Masked(Tensor x) => Tanh(x) * DropoutMask(x, 0.5, 1234);
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        GeneratedGradCheck.Check(run.Load().GetType("F")!, "Masked", GeneratedGradCheck.Random(6, 5));
    }

    private const string DropoutModel = """
        using System.Collections.Generic;
        using Differentiable;
        using static Differentiable.Ops;
        using Nn = Differentiable.Nn;

        public partial class Net
        {
            public Nn.Linear L1, L2;
            public Nn.Dropout Drop;
            public List<Nn.Dropout> More;

            public Net(ulong seed)
            {
                var rng = new Rng(seed);
                L1 = new Nn.Linear(5, 6, rng);
                L2 = new Nn.Linear(6, 3, rng);
                Drop = new Nn.Dropout(0.5, rng);
                More = new List<Nn.Dropout> { new(0.2, rng) };
            }

            [Differentiable]
            public Tensor Forward([Wrt] Tensor x) => L2.Forward(Drop.Forward(Relu(L1.Forward(x))));
        }
        """;

    [Fact]
    public void TrainAndEvalSwitchEveryDropoutOfAModelAndEvaluationGradientChecks()
    {
        var run = GeneratorHarness.Run(DropoutModel);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("Drop.ForwardVjp(", run.Sources["Net.g.cs"]);
        var type = run.Load().GetType("Net")!;
        dynamic model = Activator.CreateInstance(type, 7UL)!;
        var drop = (NnDropout)model.Drop;
        var more = (NnDropout)model.More[0];
        Assert.Equal(new[] { "L1.W", "L1.B", "L2.W", "L2.B" }, ((IModule)model).Parameters().Select(p => p.Name));

        var m = (IModule)model;
        Assert.Same(m, m.Eval());
        Assert.False(drop.Training);
        Assert.False(more.Training);
        Assert.False(m.IsTraining());
        GeneratedGradCheck.Check(m, "Forward", GeneratedGradCheck.Random(4, 5));

        m.Train();
        Assert.True(drop.Training);
        Assert.True(more.Training);
        // Training: the generated gradient is the gradient through the mask its own forward drew (a seeded twin shows it).
        var x = GeneratedGradCheck.Random(4, 5);
        dynamic twin = Activator.CreateInstance(type, 7UL)!;
        ((IModule)twin).ConvertTo(DType.Float64);
        ((IModule)model).ConvertTo(DType.Float64);
        var withGradients = type.GetMethod("ForwardWithGradients")!;
        var result = withGradients.Invoke(m, new object?[] { x, null })!;
        var value = (Tensor)result.GetType().GetField("Item1")!.GetValue(result)!;
        Assert.Equal(((Tensor)twin.Forward(x)).ToDoubleArray(), value.ToDoubleArray());
    }

    private const string DeviceModel = """
        using Differentiable;
        using static Differentiable.Ops;
        using Nn = Differentiable.Nn;

        public partial class PoolNet
        {
            public Nn.Conv2d Conv = new(1, 3, 3, seed: 4);
            public Nn.MaxPool2d Max = new(3, stride: 2, padding: 1);
            public Nn.AvgPool2d Avg = new(2);
            public Nn.Flatten Flat = new();
            public Nn.Linear Fc = new(3 * 2 * 2, 10, seed: 5);

            [Differentiable]
            public Tensor Loss(Tensor x, Labels y) =>
                CrossEntropy(Fc.Forward(Flat.Forward(Avg.Forward(Max.Forward(Relu(Conv.Forward(Reshape(x, -1, 1, 9, 9))))))), y);
        }

        public partial class NormNet
        {
            public Nn.Linear Fc = new(81, 10, seed: 5);
            public Nn.LayerNorm Norm = new(10, eps: 1e-3);

            [Differentiable]
            public Tensor Loss(Tensor x, Labels y) => CrossEntropy(Norm.Forward(Fc.Forward(x)), y);
        }

        public partial class DropNet
        {
            public Nn.Linear Fc = new(4, 3, seed: 5);
            public Nn.Dropout Drop = new(0.5, seed: 6);

            [Differentiable]
            public Tensor Loss(Tensor x, Labels y) => CrossEntropy(Drop.Forward(Fc.Forward(x)), y);
        }
        """;

    [SkippableFact]
    public void ADeviceProgramInlinesThePackagesLayersAndMatchesTheCpu()
    {
        var run = GeneratorHarness.Run(DeviceModel);
        Assert.Empty(run.GeneratorDiagnostics);
        var generated = run.Sources["PoolNet.g.cs"];
        Assert.DoesNotContain("has no device program", generated);
        Assert.Contains("p.Parameter(\"Conv.W\")", generated);
        Assert.Contains("Max.Kernel, Max.Stride, Max.Padding)", generated);
        Assert.Contains("p.AvgPool2d(", generated);
        // Dropout's mask is drawn on the CPU: that model says why it has no device program.
        Assert.Contains("it calls Differentiable.Nn.Dropout.Forward, compiled in Differentiable.Runtime", run.Sources["DropNet.g.cs"]);

        Assert.DoesNotContain("has no device program", run.Sources["NormNet.g.cs"]);

        EmulatorRequirement.SkipUnlessAvailable();
        var assembly = run.Load();
        foreach (var name in new[] { "PoolNet", "NormNet" })
            CheckParity(Activator.CreateInstance(assembly.GetType(name)!)!);
    }

    private static void CheckParity(object model)
    {
        var rng = new Rng(8);
        var x = Tensor.Rand(new[] { 5, 81 }, rng);
        var y = new Labels(new[] { 1, 7, 3, 0, 9 });
        var type = model.GetType();
        var record = (Action<ProgramBuilder>)Delegate.CreateDelegate(typeof(Action<ProgramBuilder>), model, "LossDeviceProgram");
        var parityCase = new ParityCase(type.Name, (IModule)model, record, new Dictionary<string, Tensor> { ["x"] = x },
            new Dictionary<string, Labels> { ["y"] = y }, () =>
            {
                var result = type.GetMethod("LossWithGradients")!.Invoke(model, new object?[] { x, y, null })!;
                return ((Tensor)result.GetType().GetField("Item1")!.GetValue(result)!, (IGradients)result.GetType().GetField("Item2")!.GetValue(result)!);
            });
        using var backend = new HostEmulatorBackend();
        var parity = DeviceParity.Check(backend, parityCase);
        Assert.True(parity.Passed, parity.ToString());
    }
}
