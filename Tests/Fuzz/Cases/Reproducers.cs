namespace Differentiable.Fuzz.Cases;

/// <summary>
/// Regression cases too big to keep as files under Tests/Generator/FuzzRegressions (over 50 KB), made by code;
/// the case id "repro:NAME" runs one of them.
/// </summary>
public static class Reproducers
{
    public static readonly IReadOnlyDictionary<string, Func<string>> Generated = new Dictionary<string, Func<string>>
    {
        ["LongSum20000Terms"] = () => EdgeCases.LongSum(20_000),
        ["NestedNegation2000"] = () => EdgeCases.Nested(2_000, "-(", ")"),
    };
}
