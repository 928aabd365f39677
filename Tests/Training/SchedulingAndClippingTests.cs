using Differentiable.Training;

namespace Differentiable.Tests.Training;

/// <summary>
/// Learning-rate schedules and gradient clipping against PyTorch 2's numbers, printed by (torch.optim, SGD on one
/// parameter, the rate read before each epoch's <c>scheduler.step()</c>):
/// <code>
/// s = torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)                  # o = SGD(p, lr=0.1)
/// s = torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.01)
/// torch.nn.utils.clip_grad_norm_([a, b], max_norm=5.0)    # a.grad = [[3, 4]], b.grad = [12]
/// </code>
/// </summary>
public class SchedulingAndClippingTests
{
    private sealed class OneParameter : IModule
    {
        public Tensor P = Tensor.FromArray(new[] { 1.0 }, 1);
        public IReadOnlyList<NamedParameter> Parameters() => new[] { new NamedParameter("P", () => P, v => P = v) };
    }

    private sealed class Gradients(params (string, Tensor)[] all) : IGradients
    {
        public IReadOnlyList<(string Name, Tensor Gradient)> All { get; } = all;
    }

    private static double[] Rates(Func<Optimizer, LearningRateScheduler> schedule, int epochs)
    {
        var optimizer = new Sgd(new OneParameter(), 0.1);
        var scheduler = schedule(optimizer);
        var rates = new double[epochs];
        for (var e = 0; e < epochs; e++)
        {
            rates[e] = optimizer.LearningRate;
            scheduler.Step();
        }
        return rates;
    }

    [Fact]
    public void StepLR_halves_the_rate_every_three_epochs_as_PyTorch()
    {
        var expected = new[] { 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125 };
        Assert.Equal(expected, Rates(o => new StepLR(o, stepSize: 3, gamma: 0.5), 10), (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Fact]
    public void CosineAnnealingLR_follows_PyTorch_down_and_back_up()
    {
        var expected = new[]
        {
            0.1, 0.08681980515339464, 0.05500000000000001, 0.023180194846605363, 0.01, 0.023180194846605363,
            0.05500000000000002, 0.08681980515339469, 0.10000000000000006, 0.0868198051533947, 0.05500000000000005, 0.023180194846605412,
        };
        Assert.Equal(expected, Rates(o => new CosineAnnealingLR(o, period: 4, minimumLearningRate: 0.01), 12), (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Fact]
    public void A_schedule_moves_the_rate_the_optimizer_uses()
    {
        var model = new OneParameter();
        var optimizer = new Sgd(model, 0.1);
        var scheduler = new StepLR(optimizer, stepSize: 1, gamma: 0.5);
        scheduler.Step();
        optimizer.Step(new Gradients(("P", Tensor.FromArray(new[] { 1.0 }, 1))));
        Assert.Equal(1 - 0.05, model.P.Item(), 15);
        Assert.Equal(1, scheduler.Epoch);
    }

    [Fact]
    public void ClipGradNorm_scales_all_gradients_jointly_as_PyTorch()
    {
        var a = Tensor.FromArray(new[] { 3f, 4f }, 1, 2);
        var b = Tensor.FromArray(new[] { 12f }, 1);
        var norm = GradientClipping.ClipGradNorm(new Gradients(("a", a), ("b", b)), maxNorm: 5.0);
        Assert.Equal(13.0, norm, 12);
        Assert.Equal(new[] { 1.153846025466919f, 1.538461446762085f }, a.ReadOnlySpan<float>().ToArray());
        Assert.Equal(new[] { 4.615384101867676f }, b.ReadOnlySpan<float>().ToArray());
    }

    [Fact]
    public void ClipGradNorm_leaves_small_gradients_alone()
    {
        var a = Tensor.FromArray(new[] { 0.3, 0.4 }, 1, 2);
        Assert.Equal(0.5, GradientClipping.ClipGradNorm(new Gradients(("a", a)), maxNorm: 5.0), 12);
        Assert.Equal(new[] { 0.3, 0.4 }, a.ReadOnlySpan<double>().ToArray());
    }
}
