using static Differentiable.Ops;

namespace Differentiable.Samples.Models;

/// <summary>
/// The PyTorch autograd tutorial's function, whose path depends on the data (issue 11): it doubles b until its norm
/// reaches 1000, then keeps it or scales it by 100 by the sign of its sum. Gradients follow the path taken: with
/// a = 0.5 (10 doublings, the first branch) ∂c/∂a = 2048; with a = −0.0632 (13 doublings, the second) 1638400.
/// </summary>
public static partial class Tutorial
{
    [Differentiable]
    public static Tensor F(Tensor a)
    {
        var b = a * 2;
        while (b.Norm().Item() < 1000)
            b = b * 2;
        Tensor c;
        if (b.Sum().Item() > 0)
            c = b;
        else
            c = 100 * b;
        return c;
    }
}

/// <summary>A recurrent cell applied a number of times read at run time: h ← tanh(h·W + x·U + B), stopping early once h is small.</summary>
public partial class LoopNet
{
    [Parameter] public Tensor W, U, B;

    /// <summary>How many steps <see cref="Forward"/> takes at most: a field, read when the method runs.</summary>
    public int Steps = 3;

    public LoopNet(int size = 4, ulong seed = 1)
    {
        var rng = new Rng(seed);
        (W, U, B) = (Init.Linear(size, size, rng), Init.Linear(size, size, rng), Init.LinearBias(size, size, rng));
    }

    [Differentiable]
    public Tensor Forward([Wrt] Tensor x)
    {
        var h = Tanh(x.MatMul(U));
        for (int i = 0; i < Steps; i++)
        {
            if (h.Abs().Max().Item() < 1e-3)
                break;
            h = Tanh(h.MatMul(W) + x.MatMul(U) + B);
        }
        return h.Sum(axis: 1);
    }
}

/// <summary>One method per construct of a body with control flow, each gradient-checked in float64 by the tests.</summary>
public static partial class ControlFlowCases
{
    /// <summary>Nested loops, the inner bound read from the outer loop's variable.</summary>
    [Differentiable]
    public static Tensor Nested(Tensor x, int n)
    {
        var h = x;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
                h = Sin(h) * x;
        }
        return h;
    }

    /// <summary>A value (y) used before, inside and after a loop that carries h from one iteration to the next.</summary>
    [Differentiable]
    public static Tensor BeforeAndAfter(Tensor x)
    {
        var y = x * x;
        var h = y;
        int k = 0;
        while (k < 3)
        {
            h = h * y + x;
            k++;
        }
        return h + y;
    }

    /// <summary>Branches that assign different locals, declared without a value; else-if chains.</summary>
    [Differentiable]
    public static Tensor Branches(Tensor x, Tensor w, double threshold)
    {
        Tensor p;
        Tensor q;
        if (x.Sum().Item() > threshold)
        {
            p = x * w;
            q = Exp(x);
        }
        else if (x.Sum().Item() > -threshold)
        {
            p = w - x;
            q = x * x;
        }
        else
        {
            p = w;
            q = x;
        }
        return p * q;
    }

    /// <summary>A while loop whose condition is false at once: no iteration, no tape entry.</summary>
    [Differentiable]
    public static Tensor ZeroTrips(Tensor x)
    {
        var h = x * 3;
        while (h.Abs().Sum().Item() > 1e9)
            h = h * 0.5;
        return Sin(h);
    }

    /// <summary>A break inside an if, and the loop variable read by a tensor statement.</summary>
    [Differentiable]
    public static Tensor BreakInIf(Tensor x, int n)
    {
        var h = x;
        for (int i = 0; i < n; i++)
        {
            h = Tanh(h * 2 + i);
            if (i == 2)
                break;
        }
        return h;
    }

    /// <summary>A continue skipping every other iteration of a loop bounded by an int argument.</summary>
    [Differentiable]
    public static Tensor SkipOdd(Tensor x, int n)
    {
        var h = x;
        for (int i = 0; i < n; i++)
        {
            if (i % 2 == 1)
                continue;
            h = h * x + i;
        }
        return h;
    }

    /// <summary>Returns from inside a loop and from a branch: the forward ends where the return runs, and so does the gradient's path.</summary>
    [Differentiable]
    public static Tensor EarlyReturn(Tensor x, int n)
    {
        var h = x;
        for (int i = 0; i < n; i++)
        {
            h = Sin(h) * x + h;
            if (i == 2)
                return h * h;
        }
        if (n == 0)
            return x;
        return Tanh(h);
    }

    /// <summary>Every path ends in a return inside if/else: there is no return at the end of the body.</summary>
    [Differentiable]
    public static Tensor ReturnsInBothBranches(Tensor x, Tensor w)
    {
        var s = x * w;
        if (s.Sum().Item() > 0)
            return Exp(s);
        else
            return s * s;
    }
}

/// <summary>
/// Residual blocks held in an <c>IReadOnlyList</c>: h ← h + tanh(block(h)) ⊙ block.B, stopping once h grows past a
/// limit. Each block's parameters are reached by a call and read directly; their gradients are per element.
/// </summary>
public partial class ResidualStack
{
    public IReadOnlyList<Linear> Blocks;
    [Parameter] public Tensor Scale;

    /// <summary>The norm past which <see cref="Forward"/> stops adding blocks (a number field, read at run time).</summary>
    public double Limit = 1e9;

    public ResidualStack(int size = 3, int depth = 3, ulong seed = 1)
    {
        var rng = new Rng(seed);
        var blocks = new List<Linear>();
        for (var i = 0; i < depth; i++) blocks.Add(new Linear(size, size, rng));
        Blocks = blocks;
        Scale = Init.Linear(1, size, rng);
    }

    [Differentiable]
    public Tensor Forward([Wrt] Tensor x)
    {
        var h = x;
        foreach (var block in Blocks)
        {
            h = h + Tanh(block.Forward(h)) * block.B;
            if (h.Norm().Item() > Limit)
                break;
        }
        return (h * Scale).Sum(axis: 1);
    }
}
