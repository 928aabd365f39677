using System;
using System.Collections.Generic;
using Differentiable.Generator.IR;

namespace Differentiable.Generator.Rules;

/// <summary>How an op takes part in differentiation.</summary>
internal enum GradientKind
{
    /// <summary>Has a derivative rule.</summary>
    Rule,
    /// <summary>Piecewise constant or a stop-gradient: contributes nothing to any input's gradient.</summary>
    Zero,
    /// <summary>Appears only in backward code (masks, broadcasting helpers): never differentiated itself.</summary>
    BackwardOnly,
    /// <summary>A leaf of the graph.</summary>
    Leaf,
}

/// <summary>
/// Builds the contribution of one node's adjoint to each input's adjoint (null: none). <paramref name="y"/> is the
/// node, <paramref name="dy"/> a reference to its adjoint.
/// </summary>
internal delegate Node?[] BackwardRule(Node y, Node dy, GraphBuilder b);

/// <summary>Where the table-driven gradient check draws an input from.</summary>
internal enum InputDomain { Normal, Positive }

/// <summary>
/// A small use of an op for the table-driven gradient check: a C# expression over tensor arguments
/// <c>a</c>, <c>b</c> (and labels <c>y</c>), with their shapes.
/// </summary>
internal sealed record GradCheckCase(string Expression, int[][] Shapes, InputDomain[]? Domains = null, bool UsesLabels = false);

/// <summary>One row of the rule table: an op's C# name, its math, its derivative rule, a gradient-check case and how it runs on the device.</summary>
internal sealed class Rule
{
    public Rule(Op op, GradientKind kind, string csharp, string math, BackwardRule? backward = null, string[]? adjointMath = null, GradCheckCase[]? checks = null,
        Rendering? render = null, DeviceLowering? device = null)
    {
        Device = device ?? DeviceLowering.Unsupported(op + " has no device lowering");
        Render = render ?? Renderings.Plain;
        RendersPlainCall = render is null || render == Renderings.Plain;
        Op = op;
        Kind = kind;
        CSharp = csharp;
        NamePart = csharp.ToLowerInvariant();
        Math = math;
        Backward = backward;
        AdjointMath = adjointMath ?? Array.Empty<string>();
        Checks = checks ?? Array.Empty<GradCheckCase>();
    }

    public Op Op { get; }
    public GradientKind Kind { get; }

    /// <summary>The runtime function the C# emitter calls (<c>Ops</c> or <c>GradientOps</c>).</summary>
    public string CSharp { get; }

    /// <summary><see cref="CSharp"/> lower-cased, as generated names use it (<c>h_relu</c>, <c>d_W_add</c>): computed once, not per node named.</summary>
    public string NamePart { get; }

    /// <summary>The forward op in math notation: {0}, {1} are the inputs, {axis} the reduction axis.</summary>
    public string Math { get; }

    public BackwardRule? Backward { get; }

    /// <summary>Writes a node of this op as a C# call (<see cref="Renderings"/>).</summary>
    public Rendering Render { get; }

    /// <summary>Whether <see cref="Render"/> is <see cref="Renderings.Plain"/>: <c>{CSharp}(inputs)</c>, which an emitter can write in place.</summary>
    public bool RendersPlainCall { get; }

    /// <summary>Per input, the contribution to its adjoint in math notation: {dy} the node's adjoint, {y} the node.</summary>
    public IReadOnlyList<string> AdjointMath { get; }

    public IReadOnlyList<GradCheckCase> Checks { get; }

    /// <summary>How the op runs in a device program: a fused CUDA expression, a view, or a runtime kernel's builder call.</summary>
    public DeviceLowering Device { get; }
}
