using System.Text;

namespace Differentiable.Fuzz.Cases;

/// <summary>
/// Random well-formed programs from the grammar the README promises. Every expression is built for a target
/// shape from a shape model, so the program type-checks and runs; values are kept in ranges where the math is
/// smooth (Log and Sqrt of positive numbers, Exp of a bounded number), so a float64 gradient check is meaningful.
/// All shapes come from two dimensions p and q: every variable list holds a (p, q) tensor, from which any shape
/// of the model can be reached (reduce, transpose, multiply), so an expression of any shape can always be made.
/// Control flow (issue 11): if/else, while, run-time and long constant for loops, break/continue, early returns,
/// foreach over a list of sub-modules (class Sub, field Stack), calls inside such bodies and calls of methods that have
/// them, nested in one another. Conditions never flip under the gradient check's small steps.
/// </summary>
public sealed class RandomPrograms
{
    private sealed record Var(string Name, int[] Shape, bool Differentiable);
    private sealed record Helper(string Name, bool IsStatic, int[][] ArgShapes, int[] Result, bool ReachesList);

    private readonly Random r;
    private readonly int p, q;
    private readonly List<Helper> helpers = new();
    private List<Var> vars = new();
    private List<string> numbers = new();
    private readonly List<string> fields = new();
    private bool instance;
    private int fresh;

    /// <summary>Whether the method being written may use if/while/run-time for/foreach/break/continue/early return.</summary>
    private bool controlFlow;

    /// <summary>The list-of-sub-modules field of an instance program ("Stack"), or null.</summary>
    private string? list;

    /// <summary>The variable of the foreach over <see cref="list"/> being written, or null outside one.</summary>
    private string? layer;

    /// <summary>The shape the method being written returns (what an early return returns).</summary>
    private int[] resultShape = Array.Empty<int>();

    /// <summary>How many loops enclose the statement being written; how deep control flow nests.</summary>
    private int loopDepth, nesting;

    /// <summary>Whether the method being written reaches the list's parameters (a foreach over it, or a call of a method that does).</summary>
    private bool reachesList;

    /// <summary>Whether the body being written already holds control flow (an expression body or a block may have none).</summary>
    private bool hasControlFlow;

    /// <summary>Whether the method being written is static (it cannot reach the list).</summary>
    private bool currentStatic;

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
            if (r.Next(3) != 0) { list = "Stack"; members.AppendLine(ListField()); }
        }

        // Helpers first, each only calling earlier ones: no recursion by construction.
        for (var h = 0; h < r.Next(0, 3); h++)
        {
            var isStatic = !instance || r.Next(2) == 0;
            var args = new List<Argument> { new("a", "Tensor", new[] { p, q }) };
            if (r.Next(2) == 0) args.Add(new Argument("b", "Tensor", Pick(TensorShapes())));
            var result = Pick(AllShapes());
            // Helpers may have control flow too: their callers then call a method with a tape.
            controlFlow = r.Next(2) == 0;
            var body = Method(isStatic, parameters, args, result, detachable: false);
            controlFlow = false;
            var name = "G" + h;
            members.AppendLine($"    [Differentiable] public {(isStatic ? "static " : "")}Tensor {name}({string.Join(", ", args.Select(a => $"{a.Type} {a.Name}"))}){body}");
            helpers.Add(new Helper(name, isStatic, args.Select(a => a.Shape!).ToArray(), result, reachesList));
        }

        var entry = new List<Argument> { new("x", "Tensor", new[] { p, q }) };
        if (r.Next(2) == 0) entry.Add(new Argument("y", "Tensor", Pick(TensorShapes())));
        if (r.Next(3) == 0) entry.Add(new Argument("s", "double", null, 0.7));
        if (r.Next(6) == 0) entry.Add(new Argument("f", "float", null, 1.25));
        if (r.Next(4) == 0) entry.Add(new Argument("n", "int", null, 3));
        controlFlow = r.Next(2) == 0;
        var entryBody = Method(!instance, parameters, entry, Pick(AllShapes()), detachable: instance);
        controlFlow = false;
        members.AppendLine($"    [Differentiable] public {(instance ? "" : "static ")}Tensor F({string.Join(", ", entry.Select(a => $"{a.Type} {a.Name}"))}){entryBody}");

        var source = $"using Differentiable;\nusing static Differentiable.Ops;\n\npublic partial class M\n{{\n{members}}}\n" + (list is null ? "" : SubClass());
        return new FuzzCase(id, Family.Random, $"random {(instance ? "instance" : "static")} program, p={p}, q={q}, {helpers.Count} helpers{(list is null ? "" : ", a list of sub-modules")}", new[] { source },
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
        var canCall = helpers.Where(h => h.IsStatic || !isStatic).ToList();
        resultShape = result;
        currentStatic = isStatic;
        reachesList = hasControlFlow = false;
        loopDepth = nesting = 0;
        layer = null;
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
                    // Most bodies that may loop over the list do, at least once.
                    var update = controlFlow && list is not null && !isStatic && !reachesList && r.Next(3) != 0 ? ForEach(target, 3) : Update(target, 3);
                    body.AppendLine(Indent(Indent(update)));
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

    /// <summary>Reassignment, compound assignment, or a constant-bound loop (short: unrolled; long: a real loop) that updates a local.</summary>
    private string Update(Var target, int depth)
    {
        switch (r.Next(controlFlow ? 9 : 5))
        {
            case 5: case 6: case 7: case 8: return ControlFlow(target, depth);
            case 0: return $"{target.Name} = {Expr(target.Shape, depth)};";
            case 1: return $"{target.Name} {Pick(new[] { "+=", "-=", "*=" })} {Broadcast(target.Shape, depth)};";
            case 2: return $"{target.Name} /= {Pick(new[] { "2", "4.0", "1.5" })};";
            case 3 when r.Next(2) == 0: return LongLoop(target, depth, plain: true);
            default:
                var i = "i" + fresh++;
                var bound = r.Next(0, 4);
                numbers.Add(i);
                loopDepth++;
                var step = $"{target.Name} = {target.Name} * 0.5 + Tanh({Expr(target.Shape, depth - 1)}) * {i};";
                loopDepth--;
                numbers.Remove(i);
                return r.Next(2) == 0 ? $"for (int {i} = 0; {i} < {bound}; {i}++) {step}" : $"for (int {i} = 1; {i} <= {bound}; {i}++)\n{{\n{Indent(step)}\n}}";
        }
    }

    /// <summary>
    /// A constant-bound loop of 17 to 40 iterations, past the unrolling line (16): a real loop. Its step does not read the
    /// target inside Tanh, so 40 iterations contract (×0.5) instead of compounding, and the float64 check stays meaningful.
    /// <paramref name="plain"/>: nothing else in the loop (a straight-line body's only control flow).
    /// </summary>
    private string LongLoop(Var target, int depth, bool plain)
    {
        hasControlFlow |= !plain;
        var k = "k" + fresh++;
        var bound = r.Next(17, 41);
        numbers.Add(k);
        loopDepth++;
        vars.Remove(target);
        var step = $"{target.Name} = {target.Name} * 0.5 + Tanh({Expr(target.Shape, depth - 1)}) * 0.1;";
        vars.Add(target);
        var body = new List<string> { step };
        if (!plain)
        {
            if (r.Next(2) == 0) body.Insert(0, $"if ({k} % 7 == 3) continue;");
            if (r.Next(3) == 0) body.Add($"if ({k} == {r.Next(5, bound + 3)}) {Pick(new[] { "break;", $"return {Expr(resultShape, depth - 1)};" })}");
            if (r.Next(3) == 0 && nesting < 2) { nesting++; body.Add(ControlFlow(target, depth, noLongLoop: true)); nesting--; }
        }
        loopDepth--;
        numbers.Remove(k);
        var header = r.Next(2) == 0 ? $"for (int {k} = 0; {k} < {bound}; {k}++)" : $"for (int {k} = 1; {k} <= {bound}; {k}++)";
        return body.Count == 1 && r.Next(2) == 0 ? $"{header} {step}" : $"{header}\n{{\n{Indent(string.Join("\n", body))}\n}}";
    }

    /// <summary>
    /// A statement with control flow that updates <paramref name="target"/>. Conditions read tensors and numbers but never
    /// change their outcome under the gradient check's small steps (margins of 1e9), so the path is the same on both sides.
    /// Loop and branch bodies may hold early returns, calls, and (two levels deep) more control flow.
    /// </summary>
    private string ControlFlow(Var target, int depth, bool noLongLoop = false)
    {
        hasControlFlow = true;
        string Step() => $"{target.Name} = {target.Name} * 0.5 + Tanh({Expr(target.Shape, depth - 1)});";
        string Return() => EarlyReturn(depth);
        // A branch or loop body: the step, sometimes an early return, sometimes nested control flow.
        string Body(params string[] more)
        {
            var lines = new List<string> { Step() };
            if (nesting < 2 && r.Next(3) == 0)
            {
                nesting++;
                lines.Insert(r.Next(2), ControlFlow(target, depth, noLongLoop || loopDepth > 0));
                nesting--;
            }
            lines.AddRange(more);
            if (r.Next(5) == 0) lines.Add($"if ({Condition()}) {Return()}");
            return $"{{\n{Indent(string.Join("\n", lines))}\n}}";
        }
        var k = "k" + fresh++;
        switch (r.Next(9))
        {
            case 0:
                return $"if ({Condition()})\n{Body()}" + (r.Next(2) == 0 ? "" : r.Next(2) == 0 ? $"\nelse\n{Indent(Step())}" : $"\nelse\n{Body()}");
            case 1:
            {
                var bound = r.Next(0, 4);
                loopDepth++;
                var body = Body($"{k}++;");
                loopDepth--;
                return $"int {k} = 0;\nwhile ({k} < {bound})\n{body}";
            }
            case 2:
            {
                var bound = numbers.Contains("n") && r.Next(2) == 0 ? "n" : r.Next(0, 4).ToString();
                numbers.Add(k);
                loopDepth++;
                var step = $"{target.Name} = {target.Name} * 0.5 + Tanh({Expr(target.Shape, depth - 1)}) * {k};";
                var exit = r.Next(3) == 0 ? Return() : "break;";
                var nested = nesting < 2 && r.Next(3) == 0 ? Nested() : "";
                loopDepth--;
                numbers.Remove(k);
                return $"for (int {k} = 0; {k} < {bound}; {k}++)\n{{\n    if ({k} == 1) continue;\n{Indent(step)}\n{Indent(nested)}\n    if ({k} == 2) {exit}\n}}";
            }
            case 3:
                var t = "t" + fresh++;
                return $"Tensor {t};\nif ({Condition()}) {t} = {Expr(target.Shape, depth - 1)};\nelse {t} = {Expr(target.Shape, depth - 1)};\n{target.Name} = {target.Name} * 0.5 + {t};";
            case 4:
                // An early return, alone or at the end of a branch that also updates the target.
                return r.Next(2) == 0 ? $"if ({Condition()}) {Return()}" : $"if ({Condition()})\n{{\n{Indent(Step())}\n    {Return()}\n}}";
            case 5 when !noLongLoop && loopDepth == 0:
                return LongLoop(target, depth, plain: false);
            case 6 or 7 or 8 when list is not null && !currentStatic && (layer is null || r.Next(4) == 0):
                return ForEach(target, depth);
            default:
                return $"if ({Condition()})\n{Body()}";
        }

        string Nested()
        {
            nesting++;
            var s = ControlFlow(target, depth, noLongLoop: true);
            nesting--;
            return s;
        }
    }

    /// <summary>A condition on numbers and tensor values whose outcome no small step changes (margins of 1e9).</summary>
    private string Condition() => r.Next(3) switch
    {
        0 => $"({Expr(Pick(TensorShapes()), 1)}).Abs().Sum().Item() < 1e9",
        1 => $"({Expr(Pick(TensorShapes()), 1)}).Sum().Item() > -1e9 && {r.Next(2) == 0}".Replace("True", "true").Replace("False", "false"),
        _ => $"({Expr(Pick(TensorShapes()), 1)}).Norm().Item() > 1e9 || {r.Next(3)} < 2",
    };

    private string EarlyReturn(int depth) => $"return {Expr(resultShape, depth - 1)};";

    /// <summary>
    /// <c>foreach (var layerN in Stack)</c>: the element's Forward called (on the target, or on an expression whose result is
    /// reduced to the target's shape), its W and B read directly, sometimes a counter, break, continue or return.
    /// </summary>
    private string ForEach(Var target, int depth)
    {
        hasControlFlow = true;
        var v = "layer" + fresh++;
        var outer = layer;
        var own = new[] { new Var($"{v}.W", new[] { q, q }, true), new Var($"{v}.B", new[] { q }, true) };
        layer = v;
        vars.AddRange(own);
        loopDepth++;
        nesting++;
        reachesList = true;
        var lines = new List<string>();
        var pq = new[] { p, q };
        if (target.Shape.SequenceEqual(pq) && r.Next(2) == 0)
            lines.Add($"{target.Name} = {v}.Forward({target.Name}) * 0.5 + {target.Name} * 0.5;");
        else if (r.Next(3) != 0)
        {
            var z = "z" + fresh++;
            lines.Add($"var {z} = {v}.Forward({Expr(pq, depth - 1)});");
            lines.Add($"{target.Name} = {target.Name} * 0.5 + Tanh({Reach(z, target.Shape)});");
        }
        else lines.Add($"{target.Name} = {target.Name} * 0.5 + Tanh({Expr(target.Shape, depth - 1)});");
        var counter = r.Next(3) == 0 ? "c" + fresh++ : null;
        if (counter is not null) lines.Insert(0, $"{counter}++;");
        switch (r.Next(6))
        {
            case 0: lines.Add($"if ({(counter is null ? Condition() : counter + " == 2")}) break;"); break;
            case 1: lines.Insert(counter is null ? 0 : 1, $"if ({(counter is null ? Condition() : counter + " == 1")}) continue;"); break;
            case 2: lines.Add($"if ({(counter is null ? Condition() : counter + " == 2")}) {EarlyReturn(depth)}"); break;
            case 3 when nesting < 2: lines.Add(ControlFlow(target, depth, noLongLoop: true)); break;
        }
        nesting--;
        loopDepth--;
        foreach (var o in own) vars.Remove(o);
        layer = outer;
        var loop = $"foreach (var {v} in {list})\n{{\n{Indent(string.Join("\n", lines))}\n}}";
        return counter is null ? loop : $"int {counter} = 0;\n{loop}";
    }

    private static string Indent(string lines) => string.Join("\n", lines.Split('\n').Select(l => l.Length == 0 ? l : "    " + l));

    /// <summary>The list-of-sub-modules field: an array, List, IList or IReadOnlyList of one to three Sub elements.</summary>
    private string ListField()
    {
        var elements = string.Join(", ", Enumerable.Range(1, r.Next(1, 4)).Select(i => $"new Sub({r.Next(1000)})"));
        return r.Next(4) switch
        {
            0 => $"    public Sub[] Stack = {{ {elements} }};",
            1 => $"    public List<Sub> Stack = new() {{ {elements} }};",
            2 => $"    public IList<Sub> Stack = new List<Sub> {{ {elements} }};",
            _ => $"    public IReadOnlyList<Sub> Stack = new[] {{ {elements} }};",
        };
    }

    /// <summary>The element class: (p, q) → (p, q) through W (q, q) and B (q), its Forward straight-line or with control flow.</summary>
    private string SubClass()
    {
        var forward = r.Next(4) switch
        {
            0 => " => Tanh(h.MatMul(W) + B);",
            1 => "\n    {\n        var z = h.MatMul(W) + B;\n        if (z.Abs().Sum().Item() > 1e9) return h;\n        return Tanh(z) * 0.5 + h * 0.5;\n    }",
            2 => "\n    {\n        var z = h;\n        for (int i = 0; i < 2; i++) z = Sigmoid(z.MatMul(W)) + B;\n        return z;\n    }",
            _ => "\n    {\n        var z = h;\n        int k = 0;\n        while (k < 2)\n        {\n            z = Tanh(z.MatMul(W) * 0.5 + B);\n            k++;\n        }\n        return z;\n    }",
        };
        return $$"""

            public partial class Sub
            {
                [Parameter] public Tensor W, B;

                public Sub(int seed)
                {
                    var rng = new Rng((ulong)seed);
                    W = Tensor.Randn(new[] { {{q}}, {{q}} }, rng, DType.Float64);
                    B = Tensor.Randn(new[] { {{q}} }, rng, DType.Float64);
                }

                [Differentiable] public Tensor Forward(Tensor h){{forward}}
            }

            """;
    }

    /// <summary>An expression of exactly <paramref name="shape"/>.</summary>
    private string Expr(int[] shape, int depth, bool constant = false)
    {
        if (depth <= 0 || r.Next(5) == 0) return Leaf(shape, constant);
        if (!constant && r.Next(4) == 0 && Callable(shape).Count > 0) return Call(shape, depth);
        switch (r.Next(layer is null ? 12 : 13) + (shape.Length == 1 && r.Next(8) == 0 ? 100 : 0))
        {
            case >= 100:
                return Joined(shape, depth, constant);
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
            case 10 when !constant && Callable(shape).Count > 0:
                return Call(shape, depth);
            case 11 when !constant && vars.Any(v => !v.Differentiable):
                return r.Next(2) == 0 ? $"Detach({Expr(shape, depth - 1, constant: true)})" : $"({Expr(shape, depth - 1, constant: true)}).Detach()";
            case 12 when !constant && layer is not null && shape.SequenceEqual(new[] { p, q }):
                return $"{layer}.Forward({Expr(shape, depth - 1)})";
            default:
                return Leaf(shape, constant);
        }
    }

    /// <summary>
    /// A vector of length n from two (m, n) tensors joined along axis 0 and weighted unevenly before the sum over it, so each
    /// half's gradient differs: half the time the two halves are the same expression, which hash-consing makes one node
    /// (its gradient is then the sum of both ends of the joined gradient).
    /// </summary>
    private string Joined(int[] shape, int depth, bool constant)
    {
        var part = new[] { r.Next(2) == 0 ? p : q, shape[0] };
        var first = Expr(part, depth - 1, constant);
        var second = r.Next(2) == 0 ? first : Expr(part, depth - 1, constant);
        var weights = $"Concat({Expr(part, depth - 1, constant)}, {Expr(part, depth - 1, constant)} * 2.0, axis: 0)";
        return $"Sum(Concat({first}, {second}, axis: 0) * {weights}, axis: 0)";
    }

    /// <summary>A call of a helper returning <paramref name="shape"/>: maybe one with control flow, maybe one reaching the list.</summary>
    private string Call(int[] shape, int depth)
    {
        var helper = Pick(Callable(shape));
        if (helper.ReachesList) reachesList = true;
        return $"{helper.Name}({string.Join(", ", helper.ArgShapes.Select(s => Expr(s, depth - 1)))})";
    }

    /// <summary>The helpers that return <paramref name="shape"/> (any number of calls may reach the list's parameters: their gradients are added per element).</summary>
    private List<Helper> Callable(int[] shape) => helpers.Where(h => h.Result.SequenceEqual(shape)).ToList();

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
        return Reach(Pick(pool.Where(v => v.Shape.SequenceEqual(new[] { p, q })).ToList()).Name, shape);
    }

    /// <summary>An expression of <paramref name="shape"/> from a (p, q) operand <paramref name="basis"/> in one step.</summary>
    private string Reach(string basis, int[] shape)
    {
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
