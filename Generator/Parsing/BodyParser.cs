using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// Maps the statements and expressions of a [Differentiable] body to <see cref="Stmt"/>/<see cref="Expr"/> records.
/// Anything outside the supported subset becomes a DIFF0xx diagnostic at that exact syntax node; the parser
/// then returns a placeholder and carries on, so one run reports every problem and never throws.
/// </summary>
/// <param name="bound">The body's names and calls as bound (see <see cref="BoundOperations"/>); what it lacks is asked of <paramref name="model"/>.</param>
internal sealed partial class BodyParser(SemanticModel model, BoundOperations bound, List<DiagnosticInfo> diagnostics, CancellationToken cancellation)
{
    private readonly List<Calls.CalleeSignature> _externalCallees = new();

    /// <summary>The [Differentiable] methods of other assemblies the body calls, as read from metadata.</summary>
    public IReadOnlyList<Calls.CalleeSignature> ExternalCallees => _externalCallees;

    public EquatableArray<Stmt> ParseBody(MethodDeclarationSyntax syntax)
    {
        if (syntax.ExpressionBody is { } arrow)
            return new EquatableArray<Stmt>(new Stmt[] { new ReturnStatement(ParseExpr(arrow.Expression), Spot(arrow.Expression), "return " + Text(arrow.Expression) + ";") });
        if (syntax.Body is not { } block) return EquatableArray<Stmt>.Empty;
        HasControlFlow = ControlFlowIn(block);
        var statements = block.Statements;
        return !HasControlFlow && statements.Count >= SplitFrom ? ParseInHalves(statements) : new EquatableArray<Stmt>(ParseRange(statements, 0, statements.Count));
    }

    /// <summary>
    /// Straight-line bodies of at least this many statements are parsed in two halves, the second on another core
    /// (<see cref="Offloaded{T}"/>): the body is bound by then (<see cref="CompileErrors"/>, which walks its operations in
    /// halves from the same length), so parsing is the model's lookups, which are thread-safe, and a statement of such a
    /// body is parsed on its own. Shorter bodies take less time than waking a thread.
    /// </summary>
    internal const int SplitFrom = 64;

    /// <summary>Each half with a parser of its own (its diagnostics and callees), merged in the statements' order: what one parser would have found.</summary>
    private EquatableArray<Stmt> ParseInHalves(SyntaxList<StatementSyntax> statements)
    {
        var half = statements.Count / 2;
        var laterDiagnostics = new List<DiagnosticInfo>();
        var later = new BodyParser(model, bound, laterDiagnostics, cancellation);
        var second = Offloaded<List<Stmt>>.Start(() => later.ParseRange(statements, half, statements.Count), offload: true);
        var result = ParseRange(statements, 0, half);
        result.AddRange(second.Join());
        diagnostics.AddRange(laterDiagnostics);
        foreach (var callee in later._externalCallees)
            if (!_externalCallees.Any(c => c.Key == callee.Key)) _externalCallees.Add(callee);
        return new EquatableArray<Stmt>(result);
    }

    private List<Stmt> ParseRange(SyntaxList<StatementSyntax> statements, int from, int to)
    {
        var result = new List<Stmt>();
        for (var i = from; i < to; i++) ParseStatement(statements[i], result);
        return result;
    }

    private void ParseStatement(StatementSyntax statement, List<Stmt> into)
    {
        cancellation.ThrowIfCancellationRequested();
        if (Refused(statement) is { } why)
        {
            Report(Diagnostics.ControlFlowNotSupported, statement, StatementKeyword(statement), why);
            return;
        }
        if (HasControlFlow)
        {
            ParseControlFlowStatement(statement, into);
            return;
        }
        switch (statement)
        {
            case BlockSyntax block:
                foreach (var inner in block.Statements) ParseStatement(inner, into);
                break;
            case LocalDeclarationStatementSyntax local:
                foreach (var variable in local.Declaration.Variables)
                {
                    if (variable.Initializer is null)
                    {
                        Report(Diagnostics.UnassignedLocal, variable, variable.Identifier.Text);
                        continue;
                    }
                    into.Add(new LocalDeclaration(KnownTypes.Identifier(variable.Identifier.ValueText), ParseExpr(variable.Initializer.Value), Spot(variable), Text(local)));
                }
                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment }:
                if (ParseAssignment(assignment, Text(statement)) is { } parsed) into.Add(parsed);
                break;
            case ReturnStatementSyntax { Expression: { } value }:
                into.Add(new ReturnStatement(ParseExpr(value), Spot(value), Text(statement)));
                break;
            case ForStatementSyntax loop:
                if (ParseFor(loop) is { } unrolled) into.Add(unrolled);
                break;
            case EmptyStatementSyntax:
                break;
            default:
                Report(Diagnostics.UnsupportedStatement, statement, StatementKeyword(statement));
                break;
        }
    }

    private static string StatementKeyword(StatementSyntax statement) => statement switch
    {
        ExpressionStatementSyntax => "expression",
        ReturnStatementSyntax => "return without a value",
        _ => statement.GetFirstToken().Text,
    };

    private Stmt? ParseAssignment(AssignmentExpressionSyntax assignment, string text)
    {
        var target = SymbolOf(assignment.Left);
        if (target is not ILocalSymbol local)
        {
            Report(Diagnostics.AssignmentToField, assignment.Left, Text(assignment.Left));
            return null;
        }
        var value = ParseExpr(assignment.Right);
        var where = Spot(assignment);
        var op = assignment.Kind() switch
        {
            SyntaxKind.SimpleAssignmentExpression => ' ',
            SyntaxKind.AddAssignmentExpression => '+',
            SyntaxKind.SubtractAssignmentExpression => '-',
            SyntaxKind.MultiplyAssignmentExpression => '*',
            SyntaxKind.DivideAssignmentExpression => '/',
            _ => '?',
        };
        if (op == '?')
        {
            Report(Diagnostics.UnsupportedExpression, assignment, Text(assignment), "only =, +=, -=, *= and /= assignments to locals are supported");
            return null;
        }
        if (op != ' ') value = new BinaryOperation(op, new NameRef(KnownTypes.Identifier(local.Name), Spot(assignment.Left)), value, where);
        return new LocalAssignment(KnownTypes.Identifier(local.Name), value, where, text);
    }

    /// <summary>Accepts <c>for (int i = A; i &lt; B; i++)</c> (or <c>&lt;=</c>, <c>i += C</c>) with A, B, C constants.</summary>
    private Stmt? ParseFor(ForStatementSyntax loop)
    {
        var header = OneLine.Of(loop.ToString().Substring(0, loop.Statement.SpanStart - loop.SpanStart));
        if (loop.Declaration is not { Variables.Count: 1 } declaration || declaration.Variables[0].Initializer is null)
            return LoopError(loop, "declare exactly one int loop variable");
        var variable = declaration.Variables[0];
        var raw = variable.Identifier.ValueText;
        var name = KnownTypes.Identifier(raw);
        if (!TryConstantInt(variable.Initializer!.Value, out var start))
            return LoopError(variable.Initializer.Value, $"the start '{Text(variable.Initializer.Value)}' is not a constant");

        if (loop.Condition is not BinaryExpressionSyntax condition || condition.Left is not IdentifierNameSyntax left || left.Identifier.ValueText != raw
            || !condition.IsKind(SyntaxKind.LessThanExpression) && !condition.IsKind(SyntaxKind.LessThanOrEqualExpression))
            return LoopError((SyntaxNode?)loop.Condition ?? loop, $"the condition must be '{name} < bound' or '{name} <= bound'");
        if (!TryConstantInt(condition.Right, out var bound))
            return LoopError(condition.Right, $"the bound '{Text(condition.Right)}' is not a constant");
        var end = condition.IsKind(SyntaxKind.LessThanOrEqualExpression) ? bound + 1L : bound;

        var step = 0;
        if (loop.Incrementors.Count == 1)
        {
            var incrementor = loop.Incrementors[0];
            if (incrementor is PostfixUnaryExpressionSyntax { Operand: IdentifierNameSyntax p } post && p.Identifier.ValueText == raw && post.IsKind(SyntaxKind.PostIncrementExpression)
                || incrementor is PrefixUnaryExpressionSyntax { Operand: IdentifierNameSyntax q } pre && q.Identifier.ValueText == raw && pre.IsKind(SyntaxKind.PreIncrementExpression))
                step = 1;
            else if (incrementor is AssignmentExpressionSyntax { Left: IdentifierNameSyntax a } add && a.Identifier.ValueText == raw
                     && add.IsKind(SyntaxKind.AddAssignmentExpression) && TryConstantInt(add.Right, out var by) && by > 0)
                step = by;
        }
        if (step == 0) return LoopError(loop, $"the increment must be '{name}++' or '{name} += constant'");
        // In long: 'i <= int.MaxValue' and 'i += step' past it must not wrap around into an endless unrolling.
        if (end > int.MaxValue) return LoopError(condition.Right, $"the loop variable would pass int.MaxValue");
        // How much unrolling may create is bounded by the lowering's work budget (DIFF013), not by a count here.

        var body = new List<Stmt>();
        ParseStatement(loop.Statement, body);
        return new ForLoop(name, start, (int)end, step, new EquatableArray<Stmt>(body), Spot(loop), header);
    }

    private Stmt? LoopError(SyntaxNode node, string why)
    {
        Report(Diagnostics.LoopBoundNotConstant, node, why);
        return null;
    }

    private bool TryConstantInt(ExpressionSyntax expression, out int value)
    {
        var constant = model.GetConstantValue(expression, cancellation);
        if (constant is { HasValue: true, Value: int i })
        {
            value = i;
            return true;
        }
        value = 0;
        return false;
    }

    public Expr ParseExpr(ExpressionSyntax expression)
    {
        cancellation.ThrowIfCancellationRequested();
        var where = Spot(expression);
        // A constant becomes a literal, however it is written. Asking the model for every expression's constant value was a
        // large part of parsing a long body, so the kinds that can answer without it do: a number literal's value is in its
        // token, a name's constant is its symbol's (ParseReference looks the symbol up anyway), and a call is never a number
        // (nameof is a string). The model's constant value is the expression's own, before any conversion: so are these.
        var constant = expression switch
        {
            LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression } number => new Optional<object?>(number.Token.Value),
            IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax => default,
            _ => model.GetConstantValue(expression, cancellation),
        };
        if (constant.HasValue && Literal(constant.Value, where) is { } folded) return folded;

        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return ParseExpr(parenthesized.Expression);
            case PostfixUnaryExpressionSyntax suppressed when suppressed.IsKind(SyntaxKind.SuppressNullableWarningExpression):
                return ParseExpr(suppressed.Operand);
            case CastExpressionSyntax cast when model.GetTypeInfo(cast, cancellation).Type.IsNumber():
                return ParseExpr(cast.Expression);
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryMinusExpression):
                return new UnaryMinus(ParseExpr(unary.Operand), where);
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryPlusExpression):
                return ParseExpr(unary.Operand);
            case BinaryExpressionSyntax binary:
                return ParseBinary(binary, where);
            case IdentifierNameSyntax or MemberAccessExpressionSyntax or ThisExpressionSyntax:
                return ParseReference(expression, where);
            case InvocationExpressionSyntax invocation:
                return ParseInvocation(invocation, where);
            case ImplicitArrayCreationExpressionSyntax implicitArray:
                return new ArrayLiteral(new EquatableArray<Expr>(implicitArray.Initializer.Expressions.Select(ParseExpr)), where);
            case ArrayCreationExpressionSyntax { Initializer: { } initializer }:
                return new ArrayLiteral(new EquatableArray<Expr>(initializer.Expressions.Select(ParseExpr)), where);
            case CollectionExpressionSyntax collection when collection.Elements.All(e => e is ExpressionElementSyntax):
                return new ArrayLiteral(new EquatableArray<Expr>(collection.Elements.Cast<ExpressionElementSyntax>().Select(e => ParseExpr(e.Expression))), where);
            case LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.DefaultLiteralExpression):
                return new NullLiteral(where);
        }
        return Unsupported(expression, Describe(expression));
    }

    private static string Describe(ExpressionSyntax expression) => expression switch
    {
        LambdaExpressionSyntax or AnonymousMethodExpressionSyntax => "lambdas cannot be differentiated",
        ConditionalExpressionSyntax => "conditionals are not differentiable; use Maximum, Minimum, Relu or masks",
        ElementAccessExpressionSyntax => "indexing is not supported; use Gather, Reshape or reductions",
        ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax => "objects cannot be created inside a [Differentiable] body",
        _ => "supported: tensor and number arithmetic (+ - * /), Ops functions, Tensor methods, [Differentiable] methods, locals, arguments and members",
    };

    private Expr ParseBinary(BinaryExpressionSyntax binary, SourceSpot where)
    {
        var op = binary.Kind() switch
        {
            SyntaxKind.AddExpression => '+',
            SyntaxKind.SubtractExpression => '-',
            SyntaxKind.MultiplyExpression => '*',
            SyntaxKind.DivideExpression => '/',
            _ => '?',
        };
        if (op == '?') return Unsupported(binary, $"operator '{binary.OperatorToken.Text}' is not differentiable; supported: + - * /");
        return new BinaryOperation(op, ParseExpr(binary.Left), ParseExpr(binary.Right), where);
    }

    /// <summary>A constant the parser reads as a literal (a number, true or false, null), or null for any other value.</summary>
    private static Expr? Literal(object? value, SourceSpot where) => value switch
    {
        null => new NullLiteral(where),
        bool b => new BoolLiteral(b, where),
        int or long or float or double or short or byte => new NumberLiteral(System.Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), where),
        _ => null,
    };

    /// <summary>A constant (<c>const</c> local or field), a local, an argument, or a member reached from <c>this</c> (<c>W1</c>, <c>this.W1</c>, <c>L1.W</c>).</summary>
    private Expr ParseReference(ExpressionSyntax expression, SourceSpot where)
    {
        var symbol = SymbolOf(expression);
        var constant = symbol switch
        {
            ILocalSymbol { HasConstantValue: true } local => new Optional<object?>(local.ConstantValue),
            IFieldSymbol { HasConstantValue: true } field => new Optional<object?>(field.ConstantValue),
            _ => default,
        };
        if (constant.HasValue && Literal(constant.Value, where) is { } literal) return literal;
        switch (symbol)
        {
            case ILocalSymbol module when _moduleVariables.ContainsKey(module):
                return Unsupported(expression, $"a sub-module is not a value: call its [Differentiable] methods ({symbol.Name}.Forward(h)) or read its parameters ({symbol.Name}.W)");
            case ILocalSymbol or IParameterSymbol:
                return new NameRef(KnownTypes.Identifier(symbol.Name), where);
            case IFieldSymbol or IPropertySymbol:
                var type = (symbol as IFieldSymbol)?.Type ?? ((IPropertySymbol)symbol).Type;
                var path = symbol.IsStatic ? "global::" + symbol.ContainingType.FullName() + "." + symbol.Name : MemberPath(expression);
                if (path is null) return Unsupported(expression, "only members of this model and of its sub-module fields can be read");
                if (type.Is(KnownTypes.Tensor))
                {
                    if (symbol.IsStatic) return new MemberRef(path, MemberKind.ConstantTensor, where);
                    return new MemberRef(path, symbol.HasAttribute(KnownTypes.ParameterAttribute) ? MemberKind.Parameter : MemberKind.ConstantTensor, where);
                }
                if (type.SpecialType == SpecialType.System_Int32 && !symbol.IsStatic) return new MemberRef(path, MemberKind.Integer, where);
                if (type.IsNumber()) return new MemberRef(path, MemberKind.Scalar, where);
                if (type.Is(KnownTypes.Labels)) return new MemberRef(path, MemberKind.Labels, where);
                return Unsupported(expression, $"members of type '{type.ToDisplayString()}' cannot be used as values here");
        }
        return Unsupported(expression, "only tensors and numbers can be used as values");
    }

    /// <summary>The dotted path from <c>this</c> to a member (<c>L1.W</c>), or null when the receiver is not a chain of members of this model.</summary>
    private string? MemberPath(ExpressionSyntax expression)
    {
        switch (expression)
        {
            case ThisExpressionSyntax: return "";
            case IdentifierNameSyntax identifier:
                var symbol = SymbolOf(identifier);
                if (symbol is ILocalSymbol local && _moduleVariables.TryGetValue(local, out var variable)) return variable;
                return symbol is IFieldSymbol or IPropertySymbol && !symbol.IsStatic ? identifier.Identifier.Text : null;
            case MemberAccessExpressionSyntax member:
                var receiver = MemberPath(member.Expression);
                if (receiver is null) return null;
                return receiver.Length == 0 ? member.Name.Identifier.Text : receiver + "." + member.Name.Identifier.Text;
        }
        return null;
    }

    private Expr ParseInvocation(InvocationExpressionSyntax invocation, SourceSpot where)
    {
        // The bound call's method is the one symbol lookup would give (one lookup fewer per call), but for an extension method
        // or member, which symbol lookup gives as called (an instance method, without the 'this' parameter): then it is looked up.
        // The bound body holds every call (CompileErrors walked it whole): what it lacks is no call, and is looked up too.
        var operation = bound.CallOf(invocation);
        var symbol = operation is { TargetMethod: { IsExtensionMethod: false, ContainingType.TypeKind: not TypeKind.Extension } method } ? method
            : model.GetSymbolInfo(invocation, cancellation).Symbol;
        if (symbol is not IMethodSymbol callee)
            return Unknown(invocation);

        var isOps = callee.ContainingType.Is(KnownTypes.Ops) && callee.IsStatic;
        var isTensorMethod = callee.ContainingType.Is(KnownTypes.Tensor) && !callee.IsStatic && invocation.Expression is MemberAccessExpressionSyntax;
        if ((isOps || isTensorMethod) && !Lowering.Lowerer.Supports(callee.Name)) return Unknown(invocation);
        if (isOps)
            return new OpCall(callee.Name, BindArguments(operation, receiver: null), where);
        if (isTensorMethod)
            return new OpCall(callee.Name, BindArguments(operation, receiver: ParseExpr(((MemberAccessExpressionSyntax)invocation.Expression).Expression)), where);

        if (callee.HasAttribute(KnownTypes.DifferentiableAttribute))
        {
            if (callee.DeclaringSyntaxReferences.Length == 0)
            {
                // Compiled in another assembly: called through the pullbacks its generator exported, found in metadata.
                if (ExternalCallee.Read(callee, out var why) is not { } external)
                {
                    Report(Diagnostics.UnknownMethod, invocation, callee.ContainingType.Name + "." + callee.Name, why);
                    return new NullLiteral(where);
                }
                if (!_externalCallees.Any(c => c.Key == external.Key)) _externalCallees.Add(external);
            }
            string? receiverPath = null;
            if (!callee.IsStatic)
            {
                // By name only: on this model (F(x)), a sub-module (L1.Forward(x)) or a list's element in a foreach. A method
                // group reached any other way (checked(layer.Forward)(h), (Forward)(x)) once fell through to "this", so the
                // callee's body ran against the caller's fields.
                receiverPath = invocation.Expression switch
                {
                    MemberAccessExpressionSyntax m => MemberPath(m.Expression),
                    IdentifierNameSyntax or GenericNameSyntax => "",
                    _ => null,
                };
                if (receiverPath is null)
                    return Unsupported(invocation, "call instance [Differentiable] methods by name, on this model or on one of its sub-modules: F(x), L1.Forward(x), layer.Forward(x) in a foreach over a list of them");
            }
            // In the callee's parameter order (named arguments may come in any order), defaults written out.
            var arguments = operation?.Arguments.Where(a => a.Parameter is not null).OrderBy(a => a.Parameter!.Ordinal)
                .Select(a => a.ArgumentKind == Microsoft.CodeAnalysis.Operations.ArgumentKind.DefaultValue ? DefaultArgument(a, where) : ParseExpr(ArgumentExpression(a)))
                .ToList() ?? new List<Expr>();
            return new MethodCall(callee.ContainingType.FullName() + "." + callee.Name, callee.Name, receiverPath, new EquatableArray<Expr>(arguments), where);
        }
        return Unknown(invocation);
    }

    /// <summary>Arguments by parameter name in declaration order; defaults omitted, caller-name strings dropped, params arrays expanded.</summary>
    private EquatableArray<NamedArgument> BindArguments(IInvocationOperation? operation, Expr? receiver)
    {
        var result = new List<NamedArgument>();
        if (receiver is not null) result.Add(new NamedArgument("this", receiver));
        if (operation is null) return new EquatableArray<NamedArgument>(result);
        foreach (var argument in operation.Arguments)
        {
            if (argument.ArgumentKind == Microsoft.CodeAnalysis.Operations.ArgumentKind.DefaultValue || argument.Parameter is null) continue;
            if (argument.Parameter.Type.SpecialType == SpecialType.System_String) continue;
            Expr value;
            if (argument.ArgumentKind == Microsoft.CodeAnalysis.Operations.ArgumentKind.ParamArray && argument.Value is IArrayCreationOperation { Initializer: { } init })
                value = new ArrayLiteral(new EquatableArray<Expr>(init.ElementValues.Select(e => ParseExpr((ExpressionSyntax)e.Syntax))), Spot(argument.Syntax));
            else
                value = ParseExpr(ArgumentExpression(argument));
            result.Add(new NamedArgument(argument.Parameter.Name, value));
        }
        return new EquatableArray<NamedArgument>(result);
    }

    /// <summary>An argument left to its default: the default is a constant (C# requires it), a number or null.</summary>
    private static Expr DefaultArgument(IArgumentOperation argument, SourceSpot where) => argument.Value.ConstantValue switch
    {
        { HasValue: true, Value: null } => new NullLiteral(where),
        { HasValue: true, Value: bool b } => new BoolLiteral(b, where),
        { HasValue: true, Value: var number } when number is int or long or float or double or short or byte =>
            new NumberLiteral(System.Convert.ToDouble(number, System.Globalization.CultureInfo.InvariantCulture), where),
        _ => new NullLiteral(where),
    };

    /// <summary>The expression an argument passes; implicit arguments (params, defaults) have the argument's own syntax.</summary>
    private static ExpressionSyntax ArgumentExpression(IArgumentOperation argument) => argument.Syntax switch
    {
        ArgumentSyntax syntax => syntax.Expression,
        ExpressionSyntax expression => expression,
        _ => (ExpressionSyntax)argument.Value.Syntax,
    };

    private Expr Unknown(InvocationExpressionSyntax invocation)
    {
        var symbol = model.GetSymbolInfo(invocation, cancellation);
        var method = (symbol.Symbol ?? symbol.CandidateSymbols.FirstOrDefault()) as IMethodSymbol;
        // Calling a delegate held in a local: the local's own value (a lambda) was already reported; one error per mistake.
        if (method is { MethodKind: MethodKind.DelegateInvoke } && invocation.Expression is IdentifierNameSyntax held
            && model.GetSymbolInfo(held, cancellation).Symbol is ILocalSymbol)
            return new NullLiteral(Spot(invocation));
        var name = method is null ? Text(invocation.Expression) : method.ContainingType.Name + "." + method.Name;
        Report(Diagnostics.UnknownMethod, invocation, name, CallAdvice.For(method));
        return new NullLiteral(Spot(invocation));
    }

    /// <summary>The symbol a name binds to: from the bound body when it holds the name, else from the model.</summary>
    private ISymbol? SymbolOf(ExpressionSyntax expression) => bound.SymbolOf(expression) ?? model.GetSymbolInfo(expression, cancellation).Symbol;

    private Expr Unsupported(SyntaxNode node, string why)
    {
        Report(Diagnostics.UnsupportedExpression, node, Text(node), why);
        return new NullLiteral(Spot(node));
    }

    private void Report(DiagnosticDescriptor descriptor, SyntaxNode node, params string[] arguments) =>
        diagnostics.Add(new DiagnosticInfo(descriptor, Spot(node), arguments));

    private static SourceSpot Spot(SyntaxNode node) => SourceSpot.From(node);

    /// <summary>
    /// The node's source on one line, for comments and messages: read from the file's text (one copy; printing the node
    /// walks its tokens, which showed in the profile of a long body's parsing), or printed when the tree has no text at hand.
    /// </summary>
    private static string Text(SyntaxNode node) =>
        OneLine.Of(node.SyntaxTree.TryGetText(out var text) ? text.ToString(node.Span) : node.ToString());
}
