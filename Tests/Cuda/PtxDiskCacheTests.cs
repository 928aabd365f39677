using System.Security.Cryptography;
using System.Text;
using Differentiable.Cuda;
using Differentiable.Tests.Data;

namespace Differentiable.Tests.Cuda;

/// <summary>
/// The disk cache never answers with PTX its header does not vouch for. Each test damages the one file a first
/// compiler left, the way a crash, a disk or a person could, and checks that a second compiler compiles again, warns
/// once, and leaves a good file behind.
/// </summary>
public class PtxDiskCacheTests
{
    private const string Module = "affine_module";
    private const string Architecture = "compute_80";

    [SkippableFact]
    public void A_good_entry_is_a_hit_and_its_header_is_the_documented_one()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var (file, first) = Seed(cache);
        var before = File.ReadAllBytes(file);

        var (second, warnings, compiler) = CompileAgain(cache, file);

        Assert.Equal(PtxOrigin.DiskCache, second.Origin);
        Assert.Equal(first.Ptx, second.Ptx);
        Assert.Equal(0, compiler.NvrtcCompilations);
        Assert.Empty(warnings);
        Assert.Equal(before, File.ReadAllBytes(file));
        // The format README.md and PtxCacheFile describe: one header line, then the PTX byte for byte.
        Assert.Equal(EntryBytes(KeyOf(file), first.Ptx), before);
    }

    [SkippableFact]
    public void A_truncated_file_is_recompiled()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var (file, first) = Seed(cache);
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);

        AssertRecompiledWithOneWarning(cache, file, first, "is truncated");
    }

    [SkippableFact]
    public void A_garbage_file_is_recompiled()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var (file, first) = Seed(cache);
        var garbage = new byte[4096];
        new Random(15).NextBytes(garbage);
        File.WriteAllBytes(file, garbage);

        AssertRecompiledWithOneWarning(cache, file, first, "has no differentiable-ptx v1 header");
    }

    [SkippableFact]
    public void A_file_without_a_header_is_recompiled()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var (file, first) = Seed(cache);
        // What versions before the header wrote: the bare PTX, which nothing vouches for.
        File.WriteAllText(file, first.Ptx);

        AssertRecompiledWithOneWarning(cache, file, first, "has no differentiable-ptx v1 header");
    }

    [SkippableFact]
    public void One_flipped_digit_in_the_ptx_is_recompiled()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var (file, first) = Seed(cache);
        // A flipped digit in a parameter size still parses as PTX: only the hash can tell it from the real kernel.
        var bytes = File.ReadAllBytes(file);
        var at = IndexOf(bytes, "affine_param_0[244]") + "affine_param_0[24".Length;
        bytes[at] = (byte)'5';
        File.WriteAllBytes(file, bytes);

        AssertRecompiledWithOneWarning(cache, file, first, "does not match the SHA-256 in its header");
    }

    [SkippableFact]
    public void One_flipped_byte_in_the_header_hash_is_recompiled()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var (file, first) = Seed(cache);
        var bytes = File.ReadAllBytes(file);
        var at = IndexOf(bytes, " sha256=") + " sha256=".Length;
        // Still a hex digit, so the header still parses: the hash comparison has to catch it.
        bytes[at] = Flip(bytes[at]);
        File.WriteAllBytes(file, bytes);

        AssertRecompiledWithOneWarning(cache, file, first, "does not match the SHA-256 in its header");
    }

    [SkippableTheory]
    [InlineData("// differentiable", 0, "has no differentiable-ptx v1 header")]
    [InlineData("ptx v1 ", 5, "has no differentiable-ptx v1 header")]
    [InlineData(" key=", 0, "has no differentiable-ptx v1 header")]
    [InlineData(" key=", 5, "was written for another key")]
    [InlineData(" sha256=", -1, "bytes of PTX")]
    [InlineData(" sha256=", 0, "has no differentiable-ptx v1 header")]
    [InlineData("\n", 0, "has no differentiable-ptx v1 header")]
    public void One_changed_byte_elsewhere_in_the_header_is_recompiled(string field, int offset, string problem)
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var (file, first) = Seed(cache);
        var bytes = File.ReadAllBytes(file);
        var at = IndexOf(bytes, field) + offset;
        bytes[at] = Flip(bytes[at]);
        File.WriteAllBytes(file, bytes);

        AssertRecompiledWithOneWarning(cache, file, first, problem);
    }

    [SkippableFact]
    public void A_file_copied_from_another_key_is_recompiled_not_loaded()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var (file, first) = Seed(cache);
        // A complete, self-consistent entry of another kernel under this key's name: its hash and length check out,
        // only the key in its header says it is not the affine kernel.
        var other = new KernelCompiler(cache.Path) { Warning = _ => { } }.Compile(TestKernels.AddScalar, "add_scalar_module", Architecture);
        var otherFile = Assert.Single(Directory.GetFiles(cache.Path), f => f != file);
        File.Copy(otherFile, file, overwrite: true);

        var result = AssertRecompiledWithOneWarning(cache, file, first, "was written for another key");

        Assert.Contains(".entry affine(", result.Ptx);
        Assert.DoesNotContain(".entry add_scalar(", result.Ptx);
        Assert.NotEqual(other.Ptx, result.Ptx);
    }

    [SkippableFact]
    public void An_empty_file_is_recompiled()
    {
        CudaRequirements.SkipUnlessNvrtc();
        using var cache = new TempDirectory();
        var (file, first) = Seed(cache);
        File.WriteAllBytes(file, []);

        AssertRecompiledWithOneWarning(cache, file, first, "is empty");
    }

    /// <summary>The second compile ran NVRTC, warned once naming the file and the damage, and rewrote a good entry.</summary>
    private static PtxCompilation AssertRecompiledWithOneWarning(TempDirectory cache, string file, PtxCompilation first, string problem)
    {
        var (result, warnings, compiler) = CompileAgain(cache, file);

        Assert.Equal(PtxOrigin.Compiled, result.Origin);
        Assert.Equal(first.Ptx, result.Ptx);
        Assert.Equal(1, compiler.NvrtcCompilations);
        var warning = Assert.Single(warnings);
        Assert.Contains(file, warning);
        Assert.Contains(problem, warning);
        Assert.Contains($"'{Module}'", warning);
        // The bad file was replaced by a good one: the next run reads it back, silently.
        Assert.Equal(EntryBytes(KeyOf(file), first.Ptx), File.ReadAllBytes(file));
        var (third, laterWarnings, _) = CompileAgain(cache, file);
        Assert.Equal(PtxOrigin.DiskCache, third.Origin);
        Assert.Empty(laterWarnings);
        // The repeat in the same compiler comes from memory, with no second warning.
        compiler.Compile(TestKernels.Affine, Module, Architecture);
        Assert.Single(warnings);
        return result;
    }

    /// <summary>A first compiler leaves exactly one file; returns its path and what was compiled.</summary>
    private static (string File, PtxCompilation First) Seed(TempDirectory cache)
    {
        var first = new KernelCompiler(cache.Path) { Warning = _ => Assert.Fail("an empty cache has nothing to warn about") }
            .Compile(TestKernels.Affine, Module, Architecture);
        Assert.Equal(PtxOrigin.Compiled, first.Origin);
        return (Assert.Single(Directory.GetFiles(cache.Path)), first);
    }

    private static (PtxCompilation Result, List<string> Warnings, KernelCompiler Compiler) CompileAgain(TempDirectory cache, string file)
    {
        var warnings = new List<string>();
        var compiler = new KernelCompiler(cache.Path) { Warning = RecordingEvictionOf(file, warnings) };
        return (compiler.Compile(TestKernels.Affine, Module, Architecture), warnings, compiler);
    }

    /// <summary>
    /// A warning hook that also checks the bad file is already deleted when the warning comes (before the compile that
    /// writes a good one): without that, a file the rewrite cannot replace would be rejected, and reported, every run.
    /// </summary>
    internal static Action<string> RecordingEvictionOf(string file, List<string> warnings) => message =>
    {
        Assert.False(File.Exists(file), $"{file} was not deleted before the warning: {message}");
        warnings.Add(message);
    };

    internal static string KeyOf(string file) => Path.GetFileNameWithoutExtension(file);

    /// <summary>An entry as the documented format says it is written, built here independently of the runtime.</summary>
    internal static byte[] EntryBytes(string key, string ptx)
    {
        var body = Encoding.UTF8.GetBytes(ptx);
        var header = $"// differentiable-ptx v1 key={key} length={body.Length} sha256={Convert.ToHexStringLower(SHA256.HashData(body))}\n";
        return [.. Encoding.ASCII.GetBytes(header), .. body];
    }

    /// <summary>
    /// Another byte: a hex digit stays a hex digit (so a key, length or hash still parses and its comparison has to
    /// catch the change), anything else has its lowest bit flipped ('/' becomes '.', a space '!', the newline a tab).
    /// </summary>
    private static byte Flip(byte b) => b == (byte)'0' ? (byte)'1' : char.IsAsciiHexDigitLower((char)b) ? (byte)'0' : (byte)(b ^ 1);

    private static int IndexOf(byte[] bytes, string text)
    {
        var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(text));
        Assert.True(at >= 0, $"'{text}' is not in the file");
        return at;
    }
}
