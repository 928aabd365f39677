using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Model;
using Differentiable.Generator.Parsing;

namespace Differentiable.Generator.Calls;

/// <summary>
/// What one method's body says about its calls, read from the spec alone (no lowering): which parameters it reads
/// directly, and per call of another [Differentiable] method, what each tensor argument depends on. The dependency is
/// an over-approximation of the graph's (anything an expression mentions), so a callee's pullback computes at least
/// every gradient its caller reads.
/// </summary>
internal sealed record CallSummary(string Key, EquatableArray<string> DirectParameters, EquatableArray<CallSite> Sites)
{
    public static CallSummary Of(MethodSpec spec)
    {
        var walk = new Walk(spec);
        walk.Run();
        var sites = walk.Sites.Values.OrderBy(s => s.Where.Span.Start).ToList();
        return new CallSummary(spec.Key, new EquatableArray<string>(walk.Parameters.OrderBy(p => p, System.StringComparer.Ordinal)), new EquatableArray<CallSite>(sites));
    }

    /// <summary>What a value depends on: the model's parameters, and which tensor arguments of the method (by position).</summary>
    private readonly record struct Dependency(bool Parameters, ulong Arguments)
    {
        public static readonly Dependency None = new(false, 0);
        public Dependency Or(Dependency other) => new(Parameters || other.Parameters, Arguments | other.Arguments);
    }

    private sealed class Walk(MethodSpec spec)
    {
        private readonly Dictionary<string, Dependency> _env = new();
        public HashSet<string> Parameters { get; } = new();
        public Dictionary<SourceSpot, CallSite> Sites { get; } = new();

        /// <summary>
        /// The variables of loops over lists of sub-modules, by name, with the list's path: a call on one reaches every
        /// element's parameters, which the class names <c>Layers.*.W</c>.
        /// </summary>
        private readonly Dictionary<string, string> _moduleVariables = new();

        private string Canonical(string path)
        {
            var dot = path.IndexOf('.');
            var head = dot < 0 ? path : path.Substring(0, dot);
            return _moduleVariables.TryGetValue(head, out var list) ? list + "." + ParameterPath.Each + path.Substring(head.Length) : path;
        }

        public void Run()
        {
            foreach (var loop in Parsing.Statements.Flatten(spec.Body).OfType<ForEachModule>()) _moduleVariables[loop.Variable] = loop.ListPath;
            for (var i = 0; i < spec.Arguments.Count; i++)
                _env[spec.Arguments[i].Name] = spec.Arguments[i].Kind == ArgumentKind.Tensor ? new Dependency(false, CallMasks.Bit(i)) : Dependency.None;
            Statements(spec.Body);
        }


        private void Statements(IEnumerable<Stmt> statements)
        {
            foreach (var statement in statements)
            {
                if (Parsing.Statements.IsContainer(statement)) Loop(statement);
                else Straight(statement);
            }
        }

        private void Straight(Stmt statement)
        {
            switch (statement)
            {
                case LocalDeclaration declaration:
                    _env[declaration.Name] = Expression(declaration.Value);
                    break;
                case LocalAssignment assignment:
                    // Reassignment inside a loop can carry a dependency into the next iteration: merge, never drop.
                    _env[assignment.Name] = Expression(assignment.Value).Or(_env.TryGetValue(assignment.Name, out var before) ? before : Dependency.None);
                    break;
                case ReturnStatement ret:
                    Expression(ret.Value);
                    break;
            }
        }

        /// <summary>
        /// A loop (nested loops flattened into it, so nesting costs nothing extra) is walked until nothing changes:
        /// dependencies only grow. A pathological body that keeps changing past <see cref="MaxPasses"/> is taken to
        /// depend on everything, which is still an over-approximation.
        /// </summary>
        private void Loop(Stmt loop)
        {
            var flat = Parsing.Statements.Flatten(new[] { loop }).Where(s => !Parsing.Statements.IsContainer(s)).ToList();
            for (var pass = 0; ; pass++)
            {
                var before = new Dictionary<string, Dependency>(_env);
                var sites = Sites.ToDictionary(s => s.Key, s => s.Value);
                foreach (var statement in flat) Straight(statement);
                var stable = _env.Count == before.Count && _env.All(e => before.TryGetValue(e.Key, out var b) && b == e.Value)
                    && Sites.Count == sites.Count && Sites.All(s => sites.TryGetValue(s.Key, out var b) && b.Equals(s.Value));
                if (stable) return;
                if (pass == MaxPasses)
                {
                    foreach (var name in _env.Keys.ToList()) _env[name] = Everything;
                    foreach (var statement in flat) Straight(statement);
                    return;
                }
            }
        }

        private const int MaxPasses = 16;


        private static readonly Dependency Everything = new(true, ulong.MaxValue);

        private Dependency Expression(Expr expr)
        {
            switch (expr)
            {
                case NameRef name:
                    return _env.TryGetValue(name.Name, out var bound) ? bound : Dependency.None;
                case MemberRef { Kind: MemberKind.Parameter } member:
                    Parameters.Add(Canonical(member.Path));
                    return new Dependency(true, 0);
                case UnaryMinus minus:
                    return Expression(minus.Operand);
                case BinaryOperation binary:
                    return Expression(binary.Left).Or(Expression(binary.Right));
                case ArrayLiteral array:
                    // Numbers of a shape depend on nothing; the tensors Concat joins carry their dependencies.
                    var items = Dependency.None;
                    foreach (var item in array.Items) items = items.Or(Expression(item));
                    return items;
                case OpCall call:
                    var all = Dependency.None;
                    foreach (var argument in call.Arguments) all = all.Or(Expression(argument.Value));
                    return all;
                case MethodCall call:
                    return Call(call);
            }
            return Dependency.None;
        }

        private Dependency Call(MethodCall call)
        {
            var arguments = call.Arguments.Select(Expression).ToList();
            var result = call.ReceiverPath is null ? Dependency.None : new Dependency(true, 0);   // an instance callee may read parameters
            foreach (var argument in arguments) result = result.Or(argument);

            var dependencies = arguments.Select(a => new ArgumentDependency(a.Parameters, a.Arguments)).ToList();
            if (Sites.TryGetValue(call.Where, out var seen))
                dependencies = dependencies.Select((d, i) => i < seen.Arguments.Count ? d.Or(seen.Arguments[i]) : d).ToList();
            Sites[call.Where] = new CallSite(call.Where, call.CalleeKey, call.ReceiverPath is null ? null : Canonical(call.ReceiverPath),
                new EquatableArray<ArgumentDependency>(dependencies));
            return result;
        }
    }
}

/// <summary>One call of another [Differentiable] method: the callee, the receiver path, and what each argument depends on.</summary>
internal sealed record CallSite(SourceSpot Where, string CalleeKey, string? ReceiverPath, EquatableArray<ArgumentDependency> Arguments);

/// <summary>Whether an argument of a call depends on parameters, and on which tensor arguments of the caller (a bit set by position).</summary>
internal sealed record ArgumentDependency(bool Parameters, ulong CallerArguments)
{
    public ArgumentDependency Or(ArgumentDependency other) => new(Parameters || other.Parameters, CallerArguments | other.CallerArguments);
}
