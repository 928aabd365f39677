using System.Text;

namespace Differentiable.Fuzz.Cases;

/// <summary>
/// Random well-formed programs from the grammar the README promises. Every expression is built for a target
/// shape from a shape model, so the program type-checks and runs; values are kept in ranges where the math is
/// smooth (Log and Sqrt of positive numbers, Exp of a bounded number), so a float64 gradient check is meaningful.
/// All shapes come from two dimensions p and q: every variable list holds a (p, q) tensor, from which any shape
/// of the model can be reached (reduce, transpose, multiply), so an expression of any shape can always be made.
/// </summary>
public sealed class RandomPrograms
{
    private sealed record Var(string Name, int[] Shape, bool Differentiable);
    private sealed record Helper(string Name, bool IsStatic, int[][] ArgShapes, int[] Result);

    private readonly Random r;
    private readonly int p, q;
    private readonly List<Helper> helpers = new();
    private List<Var> vars = new();
    private List<string> numbers = new();
    private readonly List<string> fields = new();
    private bool instance;
    private int fresh;

    /// <summary>Whether the method being written may use if/while/run-time for/break/continue (only a method nothing calls, calling nothing).</summary>
    private bool controlFlow;

    private RandomPrograms(Random random)
    {
        r = random;
        p = r.Next(1, 5);
        q = r.Next(1, 5);
    }

    public static FuzzCase Make(string id, Random random) => new RandomPrograms(random).Program(id);

    private FuzzCase Program(string id)
    {
        instance = r.Next(3) != 0;
        var members = new StringBuilder();
        var parameters = new List<Var>();
        if (instance)
        {
            parameters.Add(new Var("W0", new[] { p, q }, true));
            for (var i = 1; i < r.Next(1, 4); i++) parameters.Add(new Var("W" + i, Pick(TensorShapes()), true));
            var declarations = parameters.Select(v => $"{v.Name} = Tensor.Randn(new[] {{ {string.Join(", ", v.Shape)} }}, new Rng({r.Next(1000)}), DType.Float64)");
            if (r.Next(2) == 0) members.AppendLine($"    [Parameter] public Tensor {string.Join(", ", declarations)};");
            else foreach (var d in declarations) members.AppendLine($"    [Parameter] public Tensor {d};");
            if (r.Next(2) == 0) { members.AppendLine("    public double Scale = 0.75;"); fields.Add("Scale"); }
            if (r.Next(2) == 0) { members.AppendLine("    public const double Shift = 0.25;"); fields.Add("Shift"); }
        }

        // Helpers first, each only calling earlier ones: no recursion by construction.
        for (var h = 0; h < r.Next(0, 3); h++)
        {
            var isStatic = !instance || r.Next(2) == 0;
            var args = new List<Argument> { new("a", "Tensor", new[] { p, q }) };
            if (r.Next(2) == 0) args.Add(new Argument("b", "Tensor", Pick(TensorShapes())));
            var result = Pick(AllShapes());
            var body = Method(isStatic, parameters, args, result, detachable: false);
            var name = "G" + h;
            members.AppendLine($"    [Differentiable] public {(isStatic ? "static " : "")}Tensor {name}({string.Join(", ", args.Select(a => $"{a.Type} {a.Name}"))}){body}");
            helpers.Add(new Helper(name, isStatic, args.Select(a => a.Shape!).ToArray(), result));
        }

        var entry = new List<Argument> { new("x", "Tensor", new[] { p, q }) };
        if (r.Next(2) == 0) entry.Add(new Argument("y", "Tensor", Pick(TensorShapes())));
        if (r.Next(3) == 0) entry.Add(new Argument("s", "double", null, 0.7));
        if (r.Next(6) == 0) entry.Add(new Argument("f", "float", null, 1.25));
        if (r.Next(4) == 0) entry.Add(new Argument("n", "int", null, 3));
        // Control flow only where this slice supports it: in a method that calls no other [Differentiable] method (Method
        // then calls none of the helpers).
        controlFlow = r.Next(2) == 0;
        var entryBody = Method(!instance, parameters, entry, Pick(AllShapes()), detachable: instance);
        controlFlow = false;
        members.AppendLine($"    [Differentiable] public {(instance ? "" : "static ")}Tensor F({string.Join(", ", entry.Select(a => $"{a.Type} {a.Name}"))}){entryBody}");

        var source = $"using Differentiable;\nusing static Differentiable.Ops;\n\npublic partial class M\n{{\n{members}}}\n";
        return new FuzzCase(id, Family.Random, $"random {(instance ? "instance" : "static")} program, p={p}, q={q}, {helpers.Count} helpers", new[] { source },
            new CheckSpec("F", !instance, entry));
    }

    /// <summary>A method body (expression-bodied or a block) returning a tensor of shape <paramref name="result"/>.</summary>
    private string Method(bool isStatic, List<Var> parameters, List<Argument> args, int[] result, bool detachable)
    {
        // In an instance method only the parameters are differentiated, so only there may Detach cut the arguments off.
        vars = args.Where(a => a.Shape is not null).Select(a => new Var(a.Name, a.Shape!, !detachable)).ToList();
        if (!isStatic) vars.AddRange(parameters);
        numbers = args.Where(a => a.Shape is null).Select(a => a.Name).ToList();
        if (!isStatic) numbers.AddRange(fields);
        var canCall = helpers.Where(h => !controlFlow && (h.IsStatic || !isStatic)).ToList();
        var helperBackup = helpers.ToList();
        helpers.Clear();
        helpers.AddRange(canCall);
        try
        {
            if (r.Next(3) == 0) return " => " + Expr(result, 4) + ";";
            var body = new StringBuilder("\n    {\n");
            var locals = new List<Var>();
            for (var s = 0; s < r.Next(1, 6); s++)
            {
                var kind = locals.Count == 0 ? 0 : r.Next(5);
                if (kind == 0)
                {
                    var local = new Var("h" + fresh++, Pick(AllShapes()), true);
                    body.AppendLine($"        var {local.Name} = {Expr(local.Shape, 3)};");
                    locals.Add(local);
                    vars.Add(local);
                }
                else
                {
                    var target = Pick(locals);
                    body.AppendLine("        " + Update(target, 3));
                }
            }
            body.AppendLine($"        return {Expr(result, 3)};");
            body.Append("    }");
            return body.ToString();
        }
        finally
        {
            helpers.Clear();
            helpers.AddRange(helperBackup);
        }
    }

    /// <summary>Reassignment, compound assignment, or a constant-bound loop that updates a local.</summary>
    private string Update(Var target, int depth)
    {
        switch (r.Next(controlFlow ? 8 : 4))
        {
            case 4: case 5: case 6: case 7: return ControlFlow(target, depth);
            case 0: return $"{target.Name} = {Expr(target.Shape, depth)};";
            case 1: return $"{target.Name} {Pick(new[] { "+=", "-=", "*=" })} {Broadcast(target.Shape, depth)};";
            case 2: return $"{target.Name} /= {Pick(new[] { "2", "4.0", "1.5" })};";
            default:
                var i = "i" + fresh++;
                var bound = r.Next(0, 4);
                numbers.Add(i);
                var step = $"{target.Name} = {target.Name} * 0.5 + Tanh({Expr(target.Shape, depth - 1)}) * {i};";
                numbers.Remove(i);
                return r.Next(2) == 0 ? $"for (int {i} = 0; {i} < {bound}; {i}++) {step}" : $"for (int {i} = 1; {i} <= {bound}; {i}++)\n        {{\n            {step}\n        }}";
        }
    }

    /// <summary>
    /// A statement with control flow that updates <paramref name="target"/>. Conditions read tensors and numbers but never
    /// change their outcome under the gradient check's small steps (margins of 1e9), so the path is the same on both sides.
    /// </summary>
    private string ControlFlow(Var target, int depth)
    {
        string Condition() => r.Next(3) switch
        {
            0 => $"({Expr(Pick(TensorShapes()), 1)}).Abs().Sum().Item() < 1e9",
            1 => $"({Expr(Pick(TensorShapes()), 1)}).Sum().Item() > -1e9 && {r.Next(2) == 0}".Replace("True", "true").Replace("False", "false"),
            _ => $"({Expr(Pick(TensorShapes()), 1)}).Norm().Item() > 1e9 || {r.Next(3)} < 2",
        };
        string Step() => $"{target.Name} = {target.Name} * 0.5 + Tanh({Expr(target.Shape, depth - 1)});";
        var k = "k" + fresh++;
        switch (r.Next(4))
        {
            case 0:
                return $"if ({Condition()})\n        {{\n            {Step()}\n        }}" + (r.Next(2) == 0 ? "" : $"\n        else\n            {Step()}");
            case 1:
                return $"int {k} = 0;\n        while ({k} < {r.Next(0, 4)})\n        {{\n            {Step()}\n            {k}++;\n        }}";
            case 2:
                var bound = numbers.Contains("n") && r.Next(2) == 0 ? "n" : r.Next(0, 4).ToString();
                numbers.Add(k);
                var step = $"{target.Name} = {target.Name} * 0.5 + Tanh({Expr(target.Shape, depth - 1)}) * {k};";
                numbers.Remove(k);
                return $"for (int {k} = 0; {k} < {bound}; {k}++)\n        {{\n            if ({k} == 1) continue;\n            {step}\n            if ({k} == 2) break;\n        }}";
            default:
                var t = "t" + fresh++;
                return $"Tensor {t};\n        if ({Condition()}) {t} = {Expr(target.Shape, depth - 1)};\n        else {t} = {Expr(target.Shape, depth - 1)};\n        {target.Name} = {target.Name} * 0.5 + {t};";
        }
    }

    /// <summary>An expression of exactly <paramref name="shape"/>.</summary>
    private string Expr(int[] shape, int depth, bool constant = false)
    {
        if (depth <= 0 || r.Next(5) == 0) return Leaf(shape, constant);
        switch (r.Next(12))
        {
            case 0:
            case 1:
                var e = Expr(shape, depth - 1, constant);
                return r.Next(13) switch
                {
                    0 => $"Sin({e})", 1 => $"Cos({e})", 2 => $"Tanh({e})", 3 => $"Sigmoid({e})", 4 => $"Relu({e})",
                    5 => $"Abs({e})", 6 => $"Exp(Tanh({e}))", 7 => $"Log(Abs({e}) + 0.5)", 8 => $"Sqrt(Sigmoid({e}) + 0.1)",
                    9 => $"Pow({e}, 2.0)", 10 => $"-({e})", 11 => $"({e}).Tanh()", _ => $"Log(Exp({e}) + 1)",
                };
            case 2:
            case 3:
                var (a, b) = (Expr(shape, depth - 1, constant), Broadcast(shape, depth - 1, constant));
                if (r.Next(2) == 0) (a, b) = (b, a);
                return r.Next(4) switch { 0 => $"({a} + {b})", 1 => $"({a} - {b})", 2 => $"({a} * {b})", _ => $"({a} / (Sigmoid({b}) + 0.5))" };
            case 4:
                var x = Expr(shape, depth - 1, constant);
                var n = numbers.Count > 0 && r.Next(2) == 0 ? Pick(numbers) : Pick(new[] { "0.5", "2", "1.5", "3.0" });
                return r.Next(4) switch { 0 => $"({x} * {n})", 1 => $"({n} - {x})", 2 => $"({x} / {(char.IsDigit(n[0]) ? n : "(" + n + " + 5)")})", _ => $"({n} + {x})" };
            case 5:
                var (u, v) = (Expr(shape, depth - 1, constant), r.Next(3) == 0 ? "0.3" : Expr(shape, depth - 1, constant));
                return $"{Pick(new[] { "Maximum", "Minimum" })}({u}, {v})";
            case 6:
                return Reduction(shape, depth, constant);
            case 7 when shape.Length == 2:
                var k = r.Next(2) == 0 ? p : q;
                var (left, right) = (Expr(new[] { shape[0], k }, depth - 1, constant), Expr(new[] { k, shape[1] }, depth - 1, constant));
                return r.Next(2) == 0 ? $"MatMul({left}, {right})" : $"({left}).MatMul({right})";
            case 8 when shape.Length == 2:
                var t = Expr(new[] { shape[1], shape[0] }, depth - 1, constant);
                return r.Next(2) == 0 ? $"Transpose({t})" : $"({t}).Transpose()";
            case 9 when shape.Length > 0:
                return Reshape(shape, depth, constant);
            case 10 when !constant && helpers.Any(h => h.Result.SequenceEqual(shape)):
                var helper = Pick(helpers.Where(h => h.Result.SequenceEqual(shape)).ToList());
                return $"{helper.Name}({string.Join(", ", helper.ArgShapes.Select(s => Expr(s, depth - 1)))})";
            case 11 when !constant && vars.Any(v => !v.Differentiable):
                return r.Next(2) == 0 ? $"Detach({Expr(shape, depth - 1, constant: true)})" : $"({Expr(shape, depth - 1, constant: true)}).Detach()";
            default:
                return Leaf(shape, constant);
        }
    }

    /// <summary>An operand that broadcasts to <paramref name="shape"/>: the same shape, a scalar, a row, or a reduced axis kept as 1.</summary>
    private string Broadcast(int[] shape, int depth, bool constant = false)
    {
        switch (shape.Length == 2 ? r.Next(5) : r.Next(2))
        {
            case 0: return Expr(shape, depth, constant);
            case 1: return Expr(Array.Empty<int>(), depth, constant);
            case 2: return Expr(new[] { shape[1] }, depth, constant);
            default:
                var axis = r.Next(2);
                var full = (int[])shape.Clone();
                full[axis] = r.Next(2) == 0 ? p : q;
                return $"{ReductionName()}({Expr(full, depth - 1, constant)}, axis: {axis}, keepDims: true)";
        }
    }

    private string Reduction(int[] shape, int depth, bool constant)
    {
        var op = ReductionName();
        if (shape.Length == 0)
        {
            var all = Expr(Pick(TensorShapes()), depth - 1, constant);
            return r.Next(3) == 0 ? $"({all}).{op}()" : $"{op}({all})";
        }
        if (shape.Length == 2) return Expr(shape, depth - 1, constant);
        var axis = r.Next(2);
        var inner = axis == 0 ? new[] { r.Next(2) == 0 ? p : q, shape[0] } : new[] { shape[0], r.Next(2) == 0 ? p : q };
        return r.Next(3) == 0 ? $"({Expr(inner, depth - 1, constant)}).{op}(axis: {axis})" : $"{op}({Expr(inner, depth - 1, constant)}, axis: {axis})";
    }

    private string ReductionName() => Pick(new[] { "Sum", "Mean", "Max", "LogSumExp" });

    /// <summary>The same elements in another layout: from the transposed shape or through the flat vector, one dimension sometimes -1.</summary>
    private string Reshape(int[] shape, int depth, bool constant)
    {
        var count = shape.Aggregate(1, (a, b) => a * b);
        var inner = shape.Length == 2 && r.Next(2) == 0 ? new[] { shape[1], shape[0] } : shape;
        var source = Expr(inner, depth - 1, constant);
        if (shape.Length == 2 && r.Next(2) == 0) source = $"Reshape({source}, {(r.Next(2) == 0 ? count : -1)})";
        var dims = shape.Select(d => d.ToString()).ToArray();
        if (r.Next(3) == 0) dims[r.Next(dims.Length)] = "-1";
        return r.Next(2) == 0 ? $"Reshape({source}, {string.Join(", ", dims)})" : $"({source}).Reshape({string.Join(", ", dims)})";
    }

    /// <summary>A variable of the shape, or one reached from the (p, q) variable in one step.</summary>
    private string Leaf(int[] shape, bool constant)
    {
        var pool = vars.Where(v => !constant || !v.Differentiable).ToList();
        var exact = pool.Where(v => v.Shape.SequenceEqual(shape)).ToList();
        if (exact.Count > 0 && r.Next(4) != 0) return Pick(exact).Name;
        var basis = Pick(pool.Where(v => v.Shape.SequenceEqual(new[] { p, q })).ToList()).Name;
        return shape switch
        {
            [] => $"{ReductionName()}({basis})",
            [var n] when n == p && (n != q || r.Next(2) == 0) => $"{ReductionName()}({basis}, axis: 1)",
            [_] => $"{ReductionName()}({basis}, axis: 0)",
            [var m, var n] when m == p && n == q => basis,
            [var m, var n] when m == q && n == p => $"Transpose({basis})",
            [var m, _] when m == p => $"MatMul({basis}, Transpose({basis}))",
            _ => $"MatMul(Transpose({basis}), {basis})",
        };
    }

    private IEnumerable<int[]> TensorShapes() => new[] { new[] { p }, new[] { q }, new[] { p, q }, new[] { q, p }, new[] { p, p }, new[] { q, q } };

    private IEnumerable<int[]> AllShapes() => TensorShapes().Append(Array.Empty<int>()).Append(new[] { p, q });

    private T Pick<T>(IEnumerable<T> items)
    {
        var list = items as IList<T> ?? items.ToList();
        return list[r.Next(list.Count)];
    }
}
