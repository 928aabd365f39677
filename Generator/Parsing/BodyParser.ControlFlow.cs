using System.Collections.Generic;
using System.Linq;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// The statements of a body with control flow: if/else, while, for with bounds read at run time, break, continue,
/// locals declared without a value, and statements on numbers. Straight-line bodies (and constant-bound loops in
/// them, unrolled) keep the parser's other path, so their generated code does not change.
/// </summary>
internal sealed partial class BodyParser
{
    /// <summary>The body has control flow: it is generated statement by statement around the user's if/while/for.</summary>
    public bool HasControlFlow { get; private set; }

    /// <summary>The body's locals, for a body with control flow: tensors (which have adjoints) and numbers (which do not).</summary>
    public List<ArgumentSpec> Locals { get; } = new();

    private ConditionRenderer Renderer => _renderer ??= new ConditionRenderer(model, diagnostics, cancellation);

    /// <summary>Whether a condition, loop header or number statement reads tensor values: such control flow depends on the data.</summary>
    public bool ReadsTensorValues => _renderer?.ReadsTensorValues ?? false;
    private ConditionRenderer? _renderer;

    /// <summary>
    /// Whether the body needs the control-flow path: a branch, a loop that is not the constant-bound kind unrolled
    /// today, break/continue, or a local declared without a value. One walk of the body's syntax.
    /// </summary>
    private bool ControlFlowIn(BlockSyntax block) => block.DescendantNodes(n => n is not ExpressionSyntax).Any(n => n switch
    {
        IfStatementSyntax or WhileStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or ForEachStatementSyntax => true,
        LocalDeclarationStatementSyntax local => local.Declaration.Variables.Any(v => v.Initializer is null),
        ForStatementSyntax loop => !HasConstantBounds(loop) || TripCount(loop) > MaxUnrolledIterations,
        _ => false,
    });

    /// <summary>
    /// Where unrolling stops: a constant-bound loop of at most this many iterations, in a body without other control flow,
    /// is unrolled (its statements written once per iteration, optimized across them, and part of the device program);
    /// a longer one is a real loop with a tape, so a 10,000-iteration loop costs one statement, not 10,000.
    /// </summary>
    public const int MaxUnrolledIterations = 16;

    /// <summary>How many times a constant-bound loop runs (<c>i &lt; B</c> or <c>i &lt;= B</c>, <c>i++</c> or <c>i += C</c>); long.MaxValue when unknown.</summary>
    private long TripCount(ForStatementSyntax loop)
    {
        if (loop.Declaration is not { Variables.Count: 1 } declaration || declaration.Variables[0].Initializer is not { } start
            || !TryConstantInt(start.Value, out var from) || loop.Condition is not BinaryExpressionSyntax condition || !TryConstantInt(condition.Right, out var bound))
            return long.MaxValue;
        long step = 0;
        if (loop.Incrementors.Count == 1)
            step = loop.Incrementors[0] switch
            {
                PostfixUnaryExpressionSyntax post when post.IsKind(SyntaxKind.PostIncrementExpression) => 1,
                PrefixUnaryExpressionSyntax pre when pre.IsKind(SyntaxKind.PreIncrementExpression) => 1,
                AssignmentExpressionSyntax add when add.IsKind(SyntaxKind.AddAssignmentExpression) && TryConstantInt(add.Right, out var by) && by > 0 => by,
                _ => 0,
            };
        if (step == 0) return long.MaxValue;
        var end = condition.IsKind(SyntaxKind.LessThanOrEqualExpression) ? bound + 1L : condition.IsKind(SyntaxKind.LessThanExpression) ? bound : long.MinValue;
        if (end == long.MinValue) return long.MaxValue;
        return end <= from ? 0 : (end - from + step - 1) / step;
    }

    /// <summary>A 'for' the parser unrolls: one variable, a constant start and a constant bound on the right of the condition.</summary>
    private bool HasConstantBounds(ForStatementSyntax loop) =>
        loop.Declaration is { Variables.Count: 1 } declaration && declaration.Variables[0].Initializer is { } start && TryConstantInt(start.Value, out _)
        && loop.Condition is BinaryExpressionSyntax condition && TryConstantInt(condition.Right, out _);

    /// <summary>Why a statement is refused whatever the body (null: it is not one of these), with what to write instead.</summary>
    private static string? Refused(StatementSyntax statement) => statement switch
    {
        ForEachVariableStatementSyntax => "deconstruction in foreach is not supported; write 'foreach (var layer in Layers)' over a list of sub-modules, or 'for (int i = 0; i < n; i++)' over numbers",
        DoStatementSyntax => "write it as 'while (condition) { ... }' (a do-while runs its body once first: write that copy before the loop)",
        GotoStatementSyntax or LabeledStatementSyntax => "use if/else, while, for, break and continue",
        SwitchStatementSyntax => "write it as if / else if / else",
        TryStatementSyntax or ThrowStatementSyntax => "exceptions cannot be differentiated; check inputs before calling the method",
        _ => null,
    };

    private void ParseControlFlowStatement(StatementSyntax statement, List<Stmt> into)
    {
        var where = Spot(statement);
        switch (statement)
        {
            case BlockSyntax block:
                into.Add(new BlockStatement(Nested(block), where, "{ ... }"));
                break;
            case LocalDeclarationStatementSyntax local:
                foreach (var variable in local.Declaration.Variables) ParseLocal(local, variable, into);
                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment } when IsNumberLocal(assignment.Left):
            case ExpressionStatementSyntax { Expression: PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax } when IsNumberTarget(((ExpressionStatementSyntax)statement).Expression):
                if (Renderer.Render(((ExpressionStatementSyntax)statement).Expression) is { } code) into.Add(new NumberStatement(code + ";", where, Text(statement)));
                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment }:
                if (ParseAssignment(assignment, Text(statement)) is { } parsed) into.Add(parsed);
                break;
            case ReturnStatementSyntax { Expression: { } value }:
                // Anywhere: a return inside if/while/for ends the forward there (the generated code jumps to the backward).
                into.Add(new ReturnStatement(ParseExpr(value), Spot(value), Text(statement)));
                break;
            case IfStatementSyntax branch:
                var condition = Renderer.Render(branch.Condition);
                var then = Nested(branch.Statement);
                var otherwise = branch.Else is { } e ? Nested(e.Statement) : EquatableArray<Stmt>.Empty;
                if (condition is not null) into.Add(new IfStatement(condition, then, otherwise, branch.Else is not null, where, "if (" + Text(branch.Condition) + ")"));
                break;
            case WhileStatementSyntax loop:
                var test = Renderer.Render(loop.Condition);
                var body = Nested(loop.Statement);
                if (test is not null) into.Add(new WhileLoop(test, body, where, "while (" + Text(loop.Condition) + ")"));
                break;
            case ForStatementSyntax loop:
                if (ParseRuntimeFor(loop) is { } parsed2) into.Add(parsed2);
                break;
            case ForEachStatementSyntax loop:
                if (ParseForEachModule(loop) is { } parsed3) into.Add(parsed3);
                break;
            case BreakStatementSyntax:
                into.Add(new BreakStatement(where, "break;"));
                break;
            case ContinueStatementSyntax:
                into.Add(new ContinueStatement(where, "continue;"));
                break;
            case EmptyStatementSyntax:
                break;
            default:
                Report(Diagnostics.UnsupportedStatement, statement, StatementKeyword(statement));
                break;
        }
    }

    private EquatableArray<Stmt> Nested(StatementSyntax statement)
    {
        var result = new List<Stmt>();
        if (statement is BlockSyntax block) foreach (var inner in block.Statements) ParseStatement(inner, result);
        else ParseStatement(statement, result);
        return new EquatableArray<Stmt>(result);
    }

    private void ParseLocal(LocalDeclarationStatementSyntax statement, VariableDeclaratorSyntax variable, List<Stmt> into)
    {
        var name = KnownTypes.Identifier(variable.Identifier.ValueText);
        var where = Spot(variable);
        var type = (model.GetDeclaredSymbol(variable, cancellation) as ILocalSymbol)?.Type;
        if (type.Is(KnownTypes.Tensor))
        {
            Locals.Add(new ArgumentSpec(name, ArgumentKind.Tensor, "Tensor", false));
            if (variable.Initializer is null) into.Add(new DeclaredLocal(name, "Tensor", where, Text(statement)));
            else into.Add(new LocalDeclaration(name, ParseExpr(variable.Initializer.Value), where, Text(statement)));
            return;
        }
        if (type.IsNumber() || type?.SpecialType == SpecialType.System_Boolean)
        {
            var typeName = type!.ToDisplayString();
            Locals.Add(new ArgumentSpec(name, type.IsInteger() ? ArgumentKind.Int : ArgumentKind.Scalar, typeName, false));
            if (variable.Initializer is null) into.Add(new NumberStatement($"{typeName} {name};", where, Text(statement)));
            else if (Renderer.Render(variable.Initializer.Value) is { } value) into.Add(new NumberStatement($"{typeName} {name} = {value};", where, Text(statement)));
            return;
        }
        Report(Diagnostics.ControlFlowNotSupported, variable, Text(statement),
            $"in a body with control flow, locals are tensors or numbers (this one is '{type?.ToDisplayString() ?? "unknown"}')");
    }

    /// <summary>A for loop run as written: one int variable, a header that reads only numbers.</summary>
    private Stmt? ParseRuntimeFor(ForStatementSyntax loop)
    {
        if (loop.Declaration is not { Variables.Count: 1 } declaration || declaration.Variables[0].Initializer is not { } start
            || model.GetDeclaredSymbol(declaration.Variables[0], cancellation) is not ILocalSymbol { Type: var type } || !type.IsInteger())
            return LoopError(loop, "declare exactly one int loop variable with a start value");
        if (loop.Condition is null) return LoopError(loop, "write a condition such as 'i < n'");
        // 'i <= int.MaxValue' never ends: i wraps around before it fails (the user's own method would hang too).
        if (loop.Condition is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LessThanOrEqualExpression } atMost && TryConstantInt(atMost.Right, out var limit) && limit == int.MaxValue)
            return LoopError(atMost.Right, "the loop variable would pass int.MaxValue");
        var variable = declaration.Variables[0];
        var name = KnownTypes.Identifier(variable.Identifier.ValueText);
        Locals.Add(new ArgumentSpec(name, ArgumentKind.Int, type.ToDisplayString(), false));
        var before = diagnostics.Count;
        var header = $"for ({type.ToDisplayString()} {name} = {Renderer.Render(start.Value)}; {Renderer.Render(loop.Condition)}; "
            + string.Join(", ", loop.Incrementors.Select(i => Renderer.Render(i))) + ")";
        var body = Nested(loop.Statement);
        if (diagnostics.Count != before) return null;
        var text = OneLine.Of(loop.ToString().Substring(0, loop.Statement.SpanStart - loop.SpanStart));
        return new RuntimeForLoop(header, body, Spot(loop), text);
    }

    /// <summary>The variables of <c>foreach</c> loops over lists of sub-modules: a call on one reaches its element's parameters.</summary>
    private readonly Dictionary<ILocalSymbol, string> _moduleVariables = new(SymbolEqualityComparer.Default);

    /// <summary><c>foreach (var layer in Layers)</c> over a list of sub-modules of the model (an array or list field).</summary>
    private Stmt? ParseForEachModule(ForEachStatementSyntax loop)
    {
        var text = "foreach (" + Text(loop.Type) + " " + loop.Identifier.ValueText + " in " + Text(loop.Expression) + ")";
        var path = MemberPath(loop.Expression);
        if (path is null || path.Length == 0 || !ClassParser.ModuleList(model.GetTypeInfo(loop.Expression, cancellation).Type, out _, out var count)
            || _moduleVariables.ContainsValue(path.Split('.')[0]))
        {
            Report(Diagnostics.ControlFlowNotSupported, loop.Expression, text,
                "foreach runs over a list of sub-modules held by this model (an array, List, IList or IReadOnlyList field whose elements have [Parameter] tensors); loop over numbers with 'for (int i = 0; i < n; i++)'");
            return null;
        }
        if (model.GetDeclaredSymbol(loop, cancellation) is not ILocalSymbol variable) return null;
        var name = KnownTypes.Identifier(variable.Name);
        _moduleVariables[variable] = name;
        var body = Nested(loop.Statement);
        return new ForEachModule(name, path, count, body, Spot(loop), text);
    }

    private bool IsNumberLocal(ExpressionSyntax target) =>
        model.GetSymbolInfo(target, cancellation).Symbol is ILocalSymbol local && (local.Type.IsNumber() || local.Type.SpecialType == SpecialType.System_Boolean);

    private bool IsNumberTarget(ExpressionSyntax expression) => expression switch
    {
        PostfixUnaryExpressionSyntax post => IsNumberLocal(post.Operand),
        PrefixUnaryExpressionSyntax pre when pre.Kind() is SyntaxKind.PreIncrementExpression or SyntaxKind.PreDecrementExpression => IsNumberLocal(pre.Operand),
        _ => false,
    };
}
