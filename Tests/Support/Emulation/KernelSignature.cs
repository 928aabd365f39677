using System.Text.RegularExpressions;
using Differentiable.Scheduling;

namespace Differentiable.Tests.Support.Emulation;

/// <summary>
/// A kernel's name and the C types of its pointer parameters, read from its declaration
/// <c>extern "C" __global__ void NAME(const Geometry g, float* __restrict__ out, const float* a, ...)</c>.
/// The host launcher needs the types to cast each 64-bit address back to what the kernel declares.
/// </summary>
internal sealed partial record KernelSignature(string Name, IReadOnlyList<string> PointerTypes)
{
    /// <summary>
    /// Every kernel of <paramref name="source"/>. A <c>__global__</c> function that does not follow the convention
    /// is an error here, not a kernel that silently cannot be launched.
    /// </summary>
    public static IReadOnlyList<KernelSignature> ParseAll(string source, string moduleName)
    {
        var code = WithoutComments(source);
        var kernels = KernelDeclaration().Matches(code)
            .Select(match => Parse(match.Groups["name"].Value, match.Groups["parameters"].Value, moduleName))
            .ToList();

        var globalFunctions = GlobalFunctionName().Matches(code).Select(match => match.Groups["name"].Value).ToList();
        var unconventional = globalFunctions.Except(kernels.Select(kernel => kernel.Name)).ToList();
        if (unconventional.Count > 0)
            throw new FormatException(
                $"Module '{moduleName}': the __global__ function(s) {string.Join(", ", unconventional)} are not declared as " +
                "extern \"C\" __global__ void NAME(const Geometry g, <pointer parameters>), so the host emulator cannot launch them.");
        return kernels;
    }

    private static KernelSignature Parse(string name, string parameterList, string moduleName)
    {
        var parameters = parameterList.Split(',').Select(parameter => Regex.Replace(parameter.Trim(), @"\s+", " ")).ToList();
        if (!GeometryParameter().IsMatch(parameters[0]))
            throw new FormatException($"Module '{moduleName}', kernel '{name}': the first parameter must be 'const Geometry g' (by value), not '{parameters[0]}'.");

        var pointerTypes = parameters.Skip(1).Select(parameter => PointerType(parameter, name, moduleName)).ToList();
        if (pointerTypes.Count > KernelGeometry.MaxPointers)
            throw new FormatException($"Module '{moduleName}', kernel '{name}': {pointerTypes.Count} pointer parameters, more than the geometry's {KernelGeometry.MaxPointers}.");
        return new KernelSignature(name, pointerTypes);
    }

    /// <summary>"const float* __restrict__ a" → "const float*": the declared type without its name and qualifier.</summary>
    private static string PointerType(string parameter, string kernel, string moduleName)
    {
        var match = PointerParameter().Match(parameter);
        if (!match.Success)
            throw new FormatException($"Module '{moduleName}', kernel '{kernel}': parameter '{parameter}' is not a pointer; after the geometry a kernel takes only buffer addresses.");
        return match.Groups["type"].Value.Trim() + "*";
    }

    // Comments may mention __global__ or contain parentheses; string literals in kernels are rare enough to ignore.
    private static string WithoutComments(string source) => Comments().Replace(source, " ");

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comments();

    [GeneratedRegex(@"extern\s+""C""\s+__global__\s+void\s+(?:__launch_bounds__\s*\([^)]*\)\s*)?(?<name>\w+)\s*\((?<parameters>[^)]*)\)")]
    private static partial Regex KernelDeclaration();

    [GeneratedRegex(@"__global__\s+void\s+(?:__launch_bounds__\s*\([^)]*\)\s*)?(?<name>\w+)\s*\(")]
    private static partial Regex GlobalFunctionName();

    [GeneratedRegex(@"^(const\s+)?Geometry\s+\w+$")]
    private static partial Regex GeometryParameter();

    [GeneratedRegex(@"^(?<type>[\w\s]+?)\s*\*\s*(?:__restrict__\s+)?\w+$")]
    private static partial Regex PointerParameter();
}
