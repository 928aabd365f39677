using System.Reflection;
using Differentiable.Cuda;
using Differentiable.Samples.Models;
using Differentiable.Scheduling;

namespace Differentiable.Tests.Cuda;

/// <summary>
/// Every CUDA source the generator wrote for the samples and the device checks (and the runtime's own, training and batch kernels) compiles with NVRTC for
/// sm_80 and sm_90: a kernel that does not compile fails CI, which has NVRTC but no GPU.
/// </summary>
public sealed class GeneratedKernelCompilationTests
{
    /// <summary>The samples, and the device checks' one function per op kind.</summary>
    private static readonly Assembly[] Assemblies = { typeof(FlatNet).Assembly, typeof(Differentiable.DeviceChecks.OpCases).Assembly };

    public static TheoryData<string, string> Sources()
    {
        var data = new TheoryData<string, string>();
        var sources = Assemblies.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.Name.EndsWith("CudaSource")).Select(f => $"{t.Name}.{f.Name}"))
            .Append("TrainingKernels.Source")
            .Append("BatchKernels.Source")
            .Append("RuntimeKernels.Source")
            .OrderBy(n => n, StringComparer.Ordinal);
        foreach (var source in sources)
            foreach (var architecture in new[] { "compute_80", "compute_90" })
                data.Add(source, architecture);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Sources))]
    public void CompilesToPtx(string source, string architecture)
    {
        CudaRequirements.SkipUnlessNvrtc();
        var text = SourceText(source);
        var compiler = new KernelCompiler(Path.Combine(Path.GetTempPath(), "differentiable-nvrtc-test-" + Guid.NewGuid().ToString("N")));

        var ptx = compiler.CompileToPtx(text, source, architecture);

        var kernels = System.Text.RegularExpressions.Regex.Matches(text, @"extern ""C"" __global__ void (\w+)\(").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(kernels);
        foreach (var kernel in kernels) Assert.Contains($".entry {kernel}(", ptx);
    }

    [Fact]
    public void A_kernel_repeated_statements_compute_is_written_once()
    {
        // h = tanh(a ⊙ row + 0.5), k = tanh(h ⊙ a + 0.5), m = tanh(row ⊙ k + 0.5): one forward kernel, three launches
        // (DeviceParityTests runs them against the CPU).
        var source = Differentiable.DeviceChecks.OpCases.RepeatedCudaSource;
        var kernels = System.Text.RegularExpressions.Regex.Matches(source, @"__global__ void (\w+)\([^)]*\)\s*\{[^}]*\}")
            .Select(m => m.Value).Where(k => k.Contains("tanhf(")).ToList();
        Assert.Single(kernels);
        Assert.StartsWith("__global__ void h(", kernels[0]);
    }

    [Fact]
    public void EverySampleModelHasADeviceProgram()
    {
        var names = Sources().Select(row => (string)row[0]).Distinct().ToList();
        foreach (var model in new[] { "FlatNet", "SinNet", "TwoLayerNN", "SoftmaxRegression", "CNN", "LeNet", "DropoutMLP", "AlexNet" })
            Assert.Contains($"{model}.LossCudaSource", names);
    }

    private static string SourceText(string name)
    {
        if (name == "TrainingKernels.Source") return TrainingKernels.Source;
        if (name == "BatchKernels.Source") return BatchKernels.Source;
        if (name == "RuntimeKernels.Source") return RuntimeKernels.Source;
        var (type, field) = (name[..name.IndexOf('.')], name[(name.IndexOf('.') + 1)..]);
        return (string)Assemblies.SelectMany(a => a.GetTypes()).Single(t => t.Name == type).GetField(field)!.GetRawConstantValue()!;
    }
}
