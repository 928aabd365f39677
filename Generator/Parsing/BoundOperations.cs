using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Differentiable.Generator.Parsing;

/// <summary>
/// The bound operations of a method body that the parser asks about, by their syntax: names (locals, arguments, fields,
/// properties) and calls. Collected in the one walk over the body's operations that looks for compile errors
/// (<see cref="CompileErrors"/>); the parser then reads a name's symbol or a call's bound method here, where asking the
/// semantic model took its lock and recomputed the answer from the bound nodes for every name of the body (1.6 ms of a
/// 1,000-statement body's run, in runs alternating with the model's lookups). Read-only once built, so both halves of a
/// long body (<see cref="BodyParser"/>) read it at once.
/// </summary>
internal sealed class BoundOperations
{
    /// <remarks>
    /// Sharded: one dictionary of a long body's names and calls grew arrays on the large-object heap, whose budget is what
    /// starts the compiler server's full collections (a fifth of those a 1,000-statement body's runs allocated there).
    /// Two: a long body's operations are walked in two halves at once, each filling a part of its own.
    /// </remarks>
    private readonly Collections.ShardedDictionary<SyntaxNode, IOperation>[] _parts = { New(), New() };

    private static Collections.ShardedDictionary<SyntaxNode, IOperation> New() => new(Collections.ByReference<SyntaxNode>.Instance);

    /// <summary>Notes <paramref name="operation"/> in <paramref name="part"/> if the parser asks about operations of its kind.</summary>
    public void Add(IOperation operation, int part)
    {
        // The operation written in the source, not a conversion the compiler put around it (which has the same syntax).
        if (operation.IsImplicit) return;
        if (operation.Kind is OperationKind.LocalReference or OperationKind.ParameterReference or OperationKind.FieldReference
            or OperationKind.PropertyReference or OperationKind.Invocation)
            _parts[part][operation.Syntax] = operation;
    }

    /// <summary>The local, argument, field or property <paramref name="syntax"/> refers to, when the body's operations hold it.</summary>
    public ISymbol? SymbolOf(SyntaxNode syntax) => Find(syntax) switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation property => property.Property,
        _ => null,
    };

    /// <summary>The bound call <paramref name="syntax"/> is, when the body's operations hold it.</summary>
    public IInvocationOperation? CallOf(SyntaxNode syntax) => Find(syntax) as IInvocationOperation;

    private IOperation? Find(SyntaxNode syntax)
    {
        foreach (var part in _parts)
            if (part.TryGetValue(syntax, out var operation)) return operation;
        return null;
    }
}
