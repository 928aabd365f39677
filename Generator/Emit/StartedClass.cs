using System.Collections.Generic;
using System.Threading;
using Differentiable.Generator.Calls;
using Differentiable.Generator.Model;
using Microsoft.CodeAnalysis.Text;

namespace Differentiable.Generator.Emit;

/// <summary>
/// A class's generation, started on another core as soon as the pipeline knows the class must be generated again, so
/// that the compiler's calls of the source output, which come one class after another, find classes written at once
/// (a project's models are many small classes: one core wrote them all). Equal when the work is: the pipeline's cache
/// compares the work, never the result, and a class whose work is cached is neither started nor written.
/// </summary>
/// <remarks>
/// The compiler computes a step's every entry before the next step reads the first, so every changed class is
/// queued before the first is joined; a class no thread has started yet is written by the thread that joins it
/// (<see cref="Offloaded{T}"/>), so a busy thread pool costs nothing.
/// </remarks>
internal sealed class StartedClass : System.IEquatable<StartedClass>
{
    private readonly Offloaded<(SourceText? Source, List<DiagnosticInfo> Diagnostics)> _generation;

    private StartedClass(ClassWork work, CancellationToken cancellation)
    {
        Work = work;
        _generation = Offloaded<(SourceText?, List<DiagnosticInfo>)>.Start(() => Generate(work, cancellation), offload: true);
    }

    public ClassWork Work { get; }

    public static StartedClass Start(ClassWork work, CancellationToken cancellation) => new(work, cancellation);

    /// <summary>The class's file (null when no method could be generated) and its diagnostics, once written here or elsewhere.</summary>
    public (SourceText? Source, List<DiagnosticInfo> Diagnostics) Join() => _generation.Join();

    private static (SourceText?, List<DiagnosticInfo>) Generate(ClassWork work, CancellationToken cancellation)
    {
        var diagnostics = new List<DiagnosticInfo>();
        try
        {
            return (ClassEmitter.Emit(work, diagnostics, cancellation), diagnostics);
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            // Every method has its own guard; this one catches the class's frame, so nothing ever escapes as CS8785.
            if (work.Methods.Count > 0) diagnostics.Add(new DiagnosticInfo(Diagnostics.InternalError, work.Methods[0].Spec.Where, work.Class.Name, e.GetType().Name + ": " + e.Message));
            return (null, diagnostics);
        }
    }

    public bool Equals(StartedClass? other) => other is not null && Work.Equals(other.Work);

    public override bool Equals(object? obj) => Equals(obj as StartedClass);

    public override int GetHashCode() => Work.GetHashCode();
}
