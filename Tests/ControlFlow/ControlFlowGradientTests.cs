using Differentiable.Samples.Models;
using Differentiable.Tests.Support;

namespace Differentiable.Tests.ControlFlow;

/// <summary>
/// Bodies with if/while/for/break/continue (issue 11): the generated forward runs the user's control flow and the
/// tape replays its path backwards. The tutorial's numbers are PyTorch's; every construct is gradient-checked in float64.
/// </summary>
public class ControlFlowGradientTests
{
    [Theory]
    [InlineData(-0.0632, 1638400.0)] // 13 doublings, then the else branch: 100 · 2 · 2¹³
    [InlineData(0.5, 2048.0)] // 10 doublings, then the if branch: 2 · 2¹⁰
    public void TutorialGradientFollowsThePathTaken(double a, double expected)
    {
        var input = Tensor.FromArray(new[] { a }, 1);
        var (value, gradients) = Tutorial.FWithGradients(input);
        Assert.Equal(Tutorial.F(input).ToDoubleArray(), value.ToDoubleArray());
        Assert.Equal(expected, gradients.a.ToDoubleArray()[0], 6);
    }

    [Fact]
    public void NestedLoops() => GeneratedGradCheck.Check(typeof(ControlFlowCases), nameof(ControlFlowCases.Nested), GeneratedGradCheck.Random(2, 3), 3);

    [Fact]
    public void ValueUsedBeforeInsideAndAfterALoop() =>
        GeneratedGradCheck.Check(typeof(ControlFlowCases), nameof(ControlFlowCases.BeforeAndAfter), GeneratedGradCheck.Random(2, 3) * 0.5);

    [Theory]
    [InlineData(1.0)] // x.Sum() > -1 and < 1: the else-if branch
    [InlineData(-100.0)] // the if branch
    [InlineData(100.0)] // the else branch
    public void BranchesAssigningDifferentLocals(double threshold) =>
        GeneratedGradCheck.Check(typeof(ControlFlowCases), nameof(ControlFlowCases.Branches),
            Tensor.FromArray(new[] { 0.3, -0.2, 0.1 }, 3), GeneratedGradCheck.Random(3), threshold);

    [Fact]
    public void WhileThatRunsZeroTimes() => GeneratedGradCheck.Check(typeof(ControlFlowCases), nameof(ControlFlowCases.ZeroTrips), GeneratedGradCheck.Random(4));

    [Theory]
    [InlineData(2)]
    [InlineData(10)] // breaks after i == 2
    public void BreakInsideIf(int n) => GeneratedGradCheck.Check(typeof(ControlFlowCases), nameof(ControlFlowCases.BreakInIf), GeneratedGradCheck.Random(3), n);

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void ContinueAndARunTimeBoundFromAnIntArgument(int n) =>
        GeneratedGradCheck.Check(typeof(ControlFlowCases), nameof(ControlFlowCases.SkipOdd), GeneratedGradCheck.Random(3) * 0.5, n);

    [Theory]
    [InlineData(0)] // returns x from the branch after the loop
    [InlineData(2)] // the loop ends, then the last return
    [InlineData(7)] // returns from inside the loop at i == 2
    public void EarlyReturns(int n) => GeneratedGradCheck.Check(typeof(ControlFlowCases), nameof(ControlFlowCases.EarlyReturn), GeneratedGradCheck.Random(3) * 0.5, n);

    [Theory]
    [InlineData(1.0)] // x·w sums above 0: the exp branch
    [InlineData(-1.0)]
    public void ReturnsInBothBranches(double sign) =>
        GeneratedGradCheck.Check(typeof(ControlFlowCases), nameof(ControlFlowCases.ReturnsInBothBranches),
            Tensor.FromArray(new[] { 0.3, 0.2, 0.1 }, 3) * sign, Tensor.FromArray(new[] { 0.5, 0.7, 0.9 }, 3));

    [Fact]
    public void LoopCarriedStateWithParametersAndAFieldBound()
    {
        GeneratedGradCheck.Check(new LoopNet { Steps = 4 }, nameof(LoopNet.Forward), GeneratedGradCheck.Random(2, 4));
    }

    [Fact]
    public void ValueMatchesTheMethodItself()
    {
        var x = GeneratedGradCheck.Random(2, 3);
        Assert.Equal(ControlFlowCases.Nested(x, 3).ToDoubleArray(), ControlFlowCases.NestedWithGradients(x, 3).Value.ToDoubleArray());
    }
}
