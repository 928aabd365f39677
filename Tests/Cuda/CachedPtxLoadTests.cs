using Differentiable.Cuda;
using Differentiable.Tests.Data;

namespace Differentiable.Tests.Cuda;

/// <summary>
/// PTX from the disk cache that the driver refuses is compiled again once, not reported as a failure on every run.
/// The loader here stands in for <c>cuModuleLoadData</c>, so the retry is tested without a GPU; CudaBackend.Load
/// goes through the same <see cref="KernelCompiler.CompileAndLoad{TModule}"/>.
/// </summary>
public class CachedPtxLoadTests
{
    private const string Module = "affine_module";
    private const string Architecture = "compute_80";
    private const string Stale = "// refused by the driver\n";

    [SkippableFact]
    public void Cached_ptx_the_driver_refuses_is_evicted_and_compiled_again()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var (file, fresh) = SeedRefusedEntry(cache);
        var (compiler, warnings) = Compiler(cache, file);
        var loads = new List<string>();

        var module = compiler.CompileAndLoad(TestKernels.Affine, Module, Architecture, ptx =>
        {
            loads.Add(ptx);
            return loads.Count == 1 ? throw InvalidPtx() : "module of " + ptx;
        });

        Assert.Equal("module of " + fresh, module);
        Assert.Equal([fresh + Stale, fresh], loads);
        Assert.Equal(1, compiler.NvrtcCompilations);
        var warning = Assert.Single(warnings);
        Assert.Contains(file, warning);
        Assert.Contains("failed to load (loading kernel module 'affine_module' failed: CUDA_ERROR_INVALID_PTX", warning);
        // The refused entry is gone and the fresh PTX took its place, for this compiler and for the next run.
        Assert.Equal(PtxDiskCacheTests.EntryBytes(PtxDiskCacheTests.KeyOf(file), fresh), File.ReadAllBytes(file));
        Assert.Equal(PtxOrigin.MemoryCache, compiler.Compile(TestKernels.Affine, Module, Architecture).Origin);
        Assert.Equal(fresh, compiler.Compile(TestKernels.Affine, Module, Architecture).Ptx);
    }

    [SkippableFact]
    public void When_the_fresh_ptx_is_refused_too_its_error_surfaces_after_one_recompile()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var (file, _) = SeedRefusedEntry(cache);
        var (compiler, warnings) = Compiler(cache, file);
        var attempts = 0;

        var error = Assert.Throws<CudaException>(() => compiler.CompileAndLoad<string>(TestKernels.Affine, Module, Architecture,
            _ => throw new CudaException($"attempt {++attempts} failed", "CUDA_ERROR_INVALID_PTX", 218)));

        // The error of the fresh PTX, the real one; no third attempt and no second compile.
        Assert.Equal("attempt 2 failed", error.Message);
        Assert.Equal(2, attempts);
        Assert.Equal(1, compiler.NvrtcCompilations);
        Assert.Single(warnings);
    }

    [SkippableFact]
    public void Freshly_compiled_ptx_that_fails_to_load_is_not_compiled_again()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var (compiler, warnings) = Compiler(cache, file: null);
        var attempts = 0;

        // NVRTC would make the same PTX again: the driver's error is the answer.
        var error = Assert.Throws<CudaException>(() => compiler.CompileAndLoad<string>(TestKernels.Affine, Module, Architecture,
            _ => throw new CudaException($"attempt {++attempts} failed")));

        Assert.Equal("attempt 1 failed", error.Message);
        Assert.Equal(1, compiler.NvrtcCompilations);
        Assert.Empty(warnings);
    }

    [SkippableFact]
    public void Ptx_read_from_disk_and_then_held_in_memory_still_gets_the_retry()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var (file, fresh) = SeedRefusedEntry(cache);
        var (compiler, warnings) = Compiler(cache, file);
        Assert.Equal(PtxOrigin.DiskCache, compiler.Compile(TestKernels.Affine, Module, Architecture).Origin);
        var loads = new List<string>();

        var module = compiler.CompileAndLoad(TestKernels.Affine, Module, Architecture, ptx =>
        {
            loads.Add(ptx);
            return ptx.EndsWith(Stale, StringComparison.Ordinal) ? throw InvalidPtx() : ptx;
        });

        Assert.Equal(fresh, module);
        Assert.Equal(2, loads.Count);
        Assert.Equal(1, compiler.NvrtcCompilations);
        Assert.Single(warnings);
    }

    [SkippableFact]
    public void A_good_cached_entry_loads_without_compiling()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var first = new KernelCompiler(cache.Path).Compile(TestKernels.Affine, Module, Architecture);
        var (compiler, warnings) = Compiler(cache, file: null);
        var loads = 0;

        var module = compiler.CompileAndLoad(TestKernels.Affine, Module, Architecture, ptx => { loads++; return ptx; });

        Assert.Equal(first.Ptx, module);
        Assert.Equal(1, loads);
        Assert.Equal(0, compiler.NvrtcCompilations);
        Assert.Empty(warnings);
    }

    /// <summary>
    /// A cache entry whose header checks out but whose PTX (the real PTX plus a marker comment) the fake driver refuses:
    /// what a driver update or damage the header cannot see would leave. Returns the file and the real PTX.
    /// </summary>
    private static (string File, string FreshPtx) SeedRefusedEntry(TempDirectory cache)
    {
        var fresh = new KernelCompiler(cache.Path).Compile(TestKernels.Affine, Module, Architecture).Ptx;
        var file = Assert.Single(Directory.GetFiles(cache.Path));
        File.WriteAllBytes(file, PtxDiskCacheTests.EntryBytes(PtxDiskCacheTests.KeyOf(file), fresh + Stale));
        return (file, fresh);
    }

    /// <summary>A compiler on the cache that records its warnings, checking that <paramref name="file"/> is deleted by then.</summary>
    private static (KernelCompiler Compiler, List<string> Warnings) Compiler(TempDirectory cache, string? file)
    {
        var warnings = new List<string>();
        var warning = file is null ? warnings.Add : PtxDiskCacheTests.RecordingEvictionOf(file, warnings);
        return (new KernelCompiler(cache.Path) { Warning = warning }, warnings);
    }

    private static CudaException InvalidPtx() =>
        new("loading kernel module 'affine_module' failed: CUDA_ERROR_INVALID_PTX (a PTX JIT compilation failed)", "CUDA_ERROR_INVALID_PTX", 218);
}
