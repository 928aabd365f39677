using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Differentiable.Generator.Emit.Cuda;
using Differentiable.Scheduling;

namespace Differentiable.Tests.Cuda;

/// <summary>
/// A kernel family's arguments are written by a C# struct and read by a CUDA struct declared beside it: the two must
/// have the same fields in the same order (snake_case in CUDA), or a kernel would read the wrong number without any
/// error. And the generator must not name a kernel after anything the prelude declares.
/// </summary>
public sealed partial class KernelArgumentsLayoutTests
{
    public static TheoryData<string> ArgumentTypes() => new(KernelArguments.All.Select(pair => pair.Type.Name));

    [Theory]
    [MemberData(nameof(ArgumentTypes))]
    public void The_CUDA_struct_has_the_fields_of_the_CSharp_struct_in_order(string typeName)
    {
        var (type, cuda) = KernelArguments.All.Single(pair => pair.Type.Name == typeName);
        var declaration = CudaStruct().Match(cuda);
        Assert.True(declaration.Success, $"no struct declaration in {cuda}");
        Assert.Equal(type.Name, declaration.Groups["name"].Value);

        var cudaFields = CudaField().Matches(declaration.Groups["body"].Value)
            .SelectMany(line => line.Groups["names"].Value.Split(',').Select(name => name.Trim()))
            .Select(name => ArrayLength().Match(name) is { Success: true } array ? $"{array.Groups["name"].Value}[{array.Groups["length"].Value}]" : name)
            .ToList();
        var csharpFields = type.GetFields(BindingFlags.Public | BindingFlags.Instance).OrderBy(f => Marshal.OffsetOf(type, f.Name).ToInt32())
            .Select(f => f.FieldType == typeof(int) ? SnakeCase(f.Name) : $"{SnakeCase(f.Name)}[{InlineLength(f.FieldType)}]")
            .ToList();
        Assert.Equal(csharpFields, cudaFields);
        Assert.True(Marshal.SizeOf(type) <= KernelGeometry.MaxArguments * sizeof(int), $"{type.Name} does not fit the geometry's argument words");
    }

    [Fact]
    public void Arguments_round_trip_through_the_geometry()
    {
        var geometry = new KernelGeometry();
        var arguments = new ConvolutionArguments { N = 1, C = 2, H = 3, W = 4, O = 5, KH = 6, KW = 7, OH = 8, OW = 9, Stride = 10, Padding = 11, Group = 12 };
        KernelArguments.Set(ref geometry, arguments);
        Assert.Equal(arguments, KernelArguments.Get<ConvolutionArguments>(geometry));
        Assert.Equal(Enumerable.Range(1, 12), Enumerable.Range(0, 12).Select(k => geometry.Arguments[k]));
    }

    [Fact]
    public void The_generator_reserves_every_name_the_prelude_declares()
    {
        var code = Regex.Replace(KernelPrelude.Source, @"//[^\n]*", "");
        var declared = Declarations().Matches(code).Select(m => m.Groups["name"].Value).Distinct().ToList();
        Assert.Contains("product_then", declared);
        Assert.Contains("Geometry", declared);
        Assert.DoesNotContain(declared, name => !DeviceEmitter.CudaReserved.Contains(name));
    }

    private static string SnakeCase(string name) => Regex.Replace(name, "(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_").ToLowerInvariant();

    private static int InlineLength(Type type) => type.GetCustomAttribute<InlineArrayAttribute>()?.Length ?? throw new InvalidOperationException($"{type.Name} is not an inline array");

    [GeneratedRegex(@"struct\s+(?<name>\w+)\s*\{(?<body>[^}]*)\};")]
    private static partial Regex CudaStruct();

    [GeneratedRegex(@"int\s+(?<names>[^;]+);")]
    private static partial Regex CudaField();

    [GeneratedRegex(@"^(?<name>\w+)\s*\[(?<length>\d+)\]$")]
    private static partial Regex ArrayLength();

    /// <summary>Structs, functions and macros the prelude declares at file scope.</summary>
    [GeneratedRegex(@"(?:^|\n)(?:struct\s+(?<name>\w+)|#define\s+(?<name>\w+)|(?:template\s*<[^>]*>\s*)?__device__[^(\n]*?\b(?<name>\w+)\s*\()")]
    private static partial Regex Declarations();
}
