using System.Text;

namespace Differentiable.Fuzz.Cases;

/// <summary>
/// Legal programs at the edges: trivial results, unused arguments, names that collide with generated ones, and
/// sizes that stress recursion and time (deep nesting, long sums, long call chains, big loops). The size comes
/// from the seed: mostly small, sometimes hundreds, rarely thousands, so both the common and the extreme appear.
/// Each family is also a public function, which the regression files and <see cref="Reproducers"/> reuse.
/// </summary>
public static class EdgeCases
{
    public const string Usings = "using Differentiable;\nusing static Differentiable.Ops;\n\n";

    private static readonly Func<Random, int, (string Description, string Source)>[] Families =
    {
        (r, n) => ("result is a parameter or argument", TrivialResults()),
        (r, n) => ("unused tensor argument", UnusedArgument()),
        (r, n) => ("default(Tensor)! passed to a [Differentiable] method", DefaultArgument()),
        (r, n) => ($"{n} nested -( )", Nested(n, "-(", ")")),
        (r, n) => ($"{n} nested parentheses", Nested(n, "(", ")")),
        (r, n) => ($"{n} nested Relu", Nested(n, "Relu(", ")")),
        (r, n) => ($"{n} nested Sin", Nested(n, "Sin(", ")")),
        (r, n) => ($"{n * 7}-term sum", LongSum(n * 7)),
        (r, n) => ($"chain of {n} methods", Chain(n)),
        (r, n) => ($"body of {n} statements", LongBody(n)),
        (r, n) => ("loop with a huge bound", HugeLoop(Pick(r, "2147483647", "int.MaxValue", "2147483646", "1 << 30"), Pick(r, "1000", "100000", "1073741824", "2147483647"))),
        (r, n) => ($"{n}-iteration loop", Loop(n)),
        (r, n) => ($"nested loops {Math.Min(n, 40)}x{Math.Min(n, 40)}", NestedLoops(Math.Min(n, 40), Math.Min(n, 40))),
        (r, n) => ("Reshape without a shape", ReshapeWithoutShape()),
        (r, n) => ("float argument used as a number", FloatArgument()),
        (r, n) => ("namespace @class", "namespace @class;\n\n" + Usings + "public partial class M\n{\n    [Differentiable] public static Tensor F(Tensor x) => Sin(x);\n}\n"),
        (r, n) => ("partial struct", Usings + "public partial struct M\n{\n    [Differentiable] public static Tensor F(Tensor x) => Sin(x);\n}\n"),
        (r, n) => ("members named like generated ones", GeneratedNameClashes()),
    };

    public static FuzzCase Make(string id, Random r)
    {
        var family = r.Next(Families.Length);
        var size = r.Next(8) switch
        {
            < 4 => r.Next(1, 10),
            < 6 => r.Next(10, 100),
            6 => r.Next(100, 600),
            _ => r.Next(600, 3000),
        };
        var (description, source) = Families[family](r, size);
        return new FuzzCase(id, Family.Edge, description, new[] { source });
    }

    public static string TrivialResults() => Usings + """
        public partial class M
        {
            [Parameter] public Tensor W = Tensor.Ones(2, 3);
            [Differentiable] public Tensor F(Tensor x) => W;
            [Differentiable] public static Tensor G(Tensor a) => a;
            [Differentiable] public static Tensor H(Tensor a) => -(-a);
        }
        """;

    public static string UnusedArgument() => Usings + """
        public partial class M
        {
            [Differentiable] public static Tensor F(Tensor a, Tensor b) => Sin(a);
        }
        """;

    public static string DefaultArgument() => Usings + """
        public partial class M
        {
            [Differentiable] public static Tensor G(Tensor a, Tensor b) => a * 2;
            [Differentiable] public static Tensor F(Tensor x) => G(x, default(Tensor)!);
        }
        """;

    public static string Nested(int depth, string open, string close) =>
        Usings + "public partial class M\n{\n    [Differentiable] public static Tensor F(Tensor x) => "
        + string.Concat(Enumerable.Repeat(open, depth)) + "x" + string.Concat(Enumerable.Repeat(close, depth)) + ";\n}\n";

    public static string LongSum(int terms) =>
        Usings + "public partial class M\n{\n    [Differentiable] public static Tensor F(Tensor x) => x" + string.Concat(Enumerable.Repeat(" + x", terms - 1)) + ";\n}\n";

    public static string Chain(int length)
    {
        var s = new StringBuilder(Usings + "public partial class M\n{\n    [Differentiable] public static Tensor F0(Tensor x) => Sin(x);\n");
        for (var i = 1; i < length; i++) s.Append($"    [Differentiable] public static Tensor F{i}(Tensor x) => F{i - 1}(x) * 0.5;\n");
        return s.Append("}\n").ToString();
    }

    public static string LongBody(int statements)
    {
        var s = new StringBuilder(Usings + "public partial class M\n{\n    [Parameter] public Tensor W = Tensor.Ones(2, 2);\n    [Differentiable] public Tensor F(Tensor x)\n    {\n        var h = x;\n");
        for (var i = 0; i < statements; i++) s.Append(i % 3 == 0 ? "        h = Tanh(h * W);\n" : i % 3 == 1 ? "        h += W;\n" : $"        var t{i} = h * {i};\n");
        return s.Append("        return Sum(h);\n    }\n}\n").ToString();
    }

    public static string HugeLoop(string bound, string step) => Usings + $$"""
        public partial class M
        {
            [Parameter] public Tensor W = Tensor.Ones(2, 2);
            [Differentiable] public Tensor F(Tensor x)
            {
                var h = x;
                for (int i = 0; i < {{bound}}; i += {{step}}) h = h + W;
                return h;
            }
        }
        """;

    public static string Loop(int iterations) => Usings + $$"""
        public partial class M
        {
            [Parameter] public Tensor W = Tensor.Ones(2, 2);
            [Differentiable] public Tensor F(Tensor x)
            {
                var h = x;
                for (int i = 0; i < {{iterations}}; i++) h = h + W * i;
                return h;
            }
        }
        """;

    public static string NestedLoops(int outer, int inner) => Usings + $$"""
        public partial class M
        {
            [Parameter] public Tensor W = Tensor.Ones(2, 2);
            [Differentiable] public Tensor F(Tensor x)
            {
                var h = x;
                for (int i = 0; i < {{outer}}; i++)
                    for (int j = 0; j < {{inner}}; j++)
                        h = h + W * (i - j);
                return h;
            }
        }
        """;

    public static string ReshapeWithoutShape() => Usings + """
        public partial class M
        {
            [Differentiable] public static Tensor F(Tensor a) => Reshape(a);
        }
        """;

    public static string FloatArgument() => Usings + """
        public partial class M
        {
            [Parameter] public Tensor W = Tensor.Ones(2, 2);
            [Differentiable] public Tensor F(Tensor x, float f) => x * f * W;
        }
        """;

    public static string GeneratedNameClashes() => Usings + """
        public partial class M
        {
            [Parameter] public Tensor W = Tensor.Ones(2, 2);
            [Parameter] public Tensor Parameters = Tensor.Ones(2, 2);
            [Differentiable] public Tensor F(Tensor x) => x * W * Parameters;
            public int FWithGradients(int x) => x;
            public void FDeviceProgram() { }
            public const string FCudaSource = "";
            [Differentiable] public static Tensor G(Tensor All, Tensor seed) => All * seed;
        }
        """;

    private static string Pick(Random r, params string[] items) => items[r.Next(items.Length)];
}
