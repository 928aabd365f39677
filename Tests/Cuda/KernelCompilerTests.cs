using Differentiable.Cuda;
using Differentiable.Tests.Data;

namespace Differentiable.Tests.Cuda;

public class KernelCompilerTests
{
    [SkippableTheory]
    [InlineData("compute_80", "sm_80")]
    [InlineData("compute_90", "sm_90")]
    public void Compiles_a_geometry_kernel_to_ptx(string architecture, string target)
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();

        var ptx = new KernelCompiler(cache.Path).CompileToPtx(TestKernels.Affine, "affine_module", architecture);

        Assert.Contains(".entry affine(", ptx);
        Assert.Contains($".target {target}", ptx);
        // The Geometry parameter is passed by value as 244 bytes, the size of KernelGeometry on the C# side.
        Assert.Contains(".param .align 4 .b8 affine_param_0[244]", ptx);
    }

    [SkippableFact]
    public void A_syntax_error_names_the_module_and_carries_nvrtcs_log()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        const string broken = TestKernels.Geometry + """
            extern "C" __global__ void broken(const Geometry g, float* out)
            {
                out[0] = g.scalars[0] +;
            }
            """;

        var error = Assert.Throws<KernelCompilationException>(() => new KernelCompiler(cache.Path).CompileToPtx(broken, "broken_module", "compute_80"));

        Assert.Equal("broken_module", error.ModuleName);
        Assert.Contains("'broken_module'", error.Message);
        // NVRTC's own line: file (the module name), line number, "error", what it expected.
        Assert.Contains("broken_module.cu(4): error: expected an expression", error.Message);
        Assert.Empty(Directory.GetFiles(cache.Path));
    }

    [SkippableFact]
    public void A_second_compiler_on_the_same_cache_directory_compiles_nothing()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();

        var first = new KernelCompiler(cache.Path).Compile(TestKernels.Affine, "affine_module", "compute_80");
        var second = new KernelCompiler(cache.Path).Compile(TestKernels.Affine, "affine_module", "compute_80");

        Assert.Equal(PtxOrigin.Compiled, first.Origin);
        Assert.Equal(PtxOrigin.DiskCache, second.Origin);
        Assert.Equal(first.Ptx, second.Ptx);
        // One PTX file, named by its key, and no temp file left from the atomic write.
        var file = Assert.Single(Directory.GetFiles(cache.Path));
        Assert.Matches("^[0-9a-f]{64}\\.ptx$", Path.GetFileName(file));
    }

    [SkippableFact]
    public void The_same_compiler_answers_a_repeat_from_memory()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var compiler = new KernelCompiler(cache.Path);

        compiler.Compile(TestKernels.Affine, "affine_module", "compute_80");
        var again = compiler.Compile(TestKernels.Affine, "affine_module", "compute_80");

        Assert.Equal(PtxOrigin.MemoryCache, again.Origin);
        Assert.True(again.IsCacheHit);
    }

    [SkippableFact]
    public void The_architecture_is_part_of_the_cache_key()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var compiler = new KernelCompiler(cache.Path);

        var forAmpere = compiler.Compile(TestKernels.Affine, "affine_module", "compute_80");
        var forHopper = compiler.Compile(TestKernels.Affine, "affine_module", "compute_90");

        Assert.Equal(PtxOrigin.Compiled, forHopper.Origin);
        Assert.NotEqual(forAmpere.Ptx, forHopper.Ptx);
        Assert.Equal(2, Directory.GetFiles(cache.Path).Length);
    }

    [SkippableFact]
    public void An_unwritable_cache_directory_still_compiles()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var scratch = new TempDirectory();
        // A file where the cache directory should be: nothing can be written, and the compile must not care.
        var blocked = scratch.File("not-a-directory");
        File.WriteAllText(blocked, "");

        var result = new KernelCompiler(blocked).Compile(TestKernels.Affine, "affine_module", "compute_80");

        Assert.Equal(PtxOrigin.Compiled, result.Origin);
        Assert.Contains(".entry affine(", result.Ptx);
    }

    [Fact]
    public void The_default_cache_directory_follows_the_environment_variable_or_the_user_cache()
    {
        var configured = Environment.GetEnvironmentVariable("DIFFERENTIABLE_KERNEL_CACHE");
        var directory = KernelCompiler.DefaultCacheDirectory;

        if (!string.IsNullOrWhiteSpace(configured)) Assert.Equal(configured, directory);
        else Assert.EndsWith(Path.Combine("differentiable", "kernels"), directory);
    }

    [Fact]
    public void Nvrtc_availability_is_either_a_version_or_a_reason()
    {
        if (KernelCompiler.IsNvrtcAvailable)
        {
            Assert.Null(KernelCompiler.NvrtcUnavailableReason);
            Assert.Matches(@"^\d+\.\d+ \(.*libnvrtc.*\)$", KernelCompiler.NvrtcDescription!);
        }
        else
        {
            Assert.Contains("libnvrtc.so.11.2", KernelCompiler.NvrtcUnavailableReason);
            Assert.Null(KernelCompiler.NvrtcDescription);
        }
    }
}
