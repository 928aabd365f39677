namespace Differentiable.Checkpoints;

/// <summary>The dtype codes of the safetensors header and their element sizes.</summary>
internal static class SafetensorsDTypes
{
    public const string F32 = "F32";
    public const string F64 = "F64";

    // Every dtype the format defines, not only the two this runtime materializes: the reader validates the whole
    // header (offsets, sizes, overlap) before it complains about a tensor it cannot load, so that a BF16 file is
    // reported as "unsupported dtype" and a corrupt one as "corrupt", never the other way round.
    private static readonly Dictionary<string, int> Sizes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E5M2"] = 1, ["F8_E4M3"] = 1, ["F8_E8M0"] = 1,
        ["I16"] = 2, ["U16"] = 2, ["F16"] = 2, ["BF16"] = 2,
        ["I32"] = 4, ["U32"] = 4, ["F32"] = 4,
        ["I64"] = 8, ["U64"] = 8, ["F64"] = 8,
    };

    public static bool TryGetSize(string code, out int size) => Sizes.TryGetValue(code, out size);

    public static string Code(DType dtype) => dtype == DType.Float32 ? F32 : F64;

    /// <summary>The runtime dtype for a header code, or null for a dtype the runtime has no tensor type for.</summary>
    public static DType? ToDType(string code) => code switch
    {
        F32 => DType.Float32,
        F64 => DType.Float64,
        _ => null,
    };
}
