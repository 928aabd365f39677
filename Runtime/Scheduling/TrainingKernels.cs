namespace Differentiable.Scheduling;

/// <summary>
/// The kernels a device training step appends to a model's generated program: the SGD update and the loss
/// accumulator. They take the same <c>Geometry</c> as generated kernels, so the same backends and graphs run them.
/// </summary>
public static class TrainingKernels
{
    public const string ModuleName = "Differentiable.Training";

    public const string Source = KernelPrelude.Geometry + @"
// torch.optim.SGD with dampening 0: d = g + wd·p; b ← μ·b + d (b starts at 0, so the first step gives b = g as in
// PyTorch); p ← p − lr·(Nesterov ? d + μ·b : b). scalars: lr, μ, wd; ints[0]: Nesterov.
extern ""C"" __global__ void sgd(const Geometry g, float* __restrict__ parameter, const float* __restrict__ gradient, float* __restrict__ momentum)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    const float lr = g.scalars[0], mu = g.scalars[1], wd = g.scalars[2];
    float d = gradient[i] + wd * parameter[i];
    if (mu != 0.0f)
    {
        const float b = mu * momentum[i] + d;
        momentum[i] = b;
        d = g.ints[0] ? d + mu * b : b;
    }
    parameter[i] -= lr * d;
}

// total[0] += loss[0] · scalars[0] (the batch size): the epoch's loss stays on the device until it is asked for.
extern ""C"" __global__ void accumulate(const Geometry g, float* __restrict__ total, const float* __restrict__ loss)
{
    if (blockIdx.x * blockDim.x + threadIdx.x != 0) return;
    total[0] += loss[0] * g.scalars[0];
}
";

    /// <summary>
    /// Appends an SGD update of every recorded gradient's parameter (momentum buffers <c>momentum:{path}</c>) and the
    /// accumulation of the result, weighted by <paramref name="batchSize"/>, into <c>loss:total</c>.
    /// </summary>
    public static void AppendSgd(ProgramBuilder p, float learningRate, float momentum, float weightDecay, bool nesterov, int batchSize)
    {
        p.AddModule(ModuleName, Source);
        foreach (var (path, gradient) in p.RecordedGradients)
        {
            var parameter = p.Parameter(path);
            var buffer = p.External("momentum:" + path, "momentum_" + path, parameter.Shape, ElementKind.Float32);
            var g = new KernelGeometry();
            g.Scalars[0] = learningRate;
            g.Scalars[1] = momentum;
            g.Scalars[2] = weightDecay;
            g.Ints[0] = nesterov ? 1 : 0;
            p.Launch(ModuleName, "sgd", parameter.Count, ref g, parameter, gradient, buffer);
        }
        var total = p.External("loss:total", "loss_total", new[] { 1 }, ElementKind.Float32);
        var weight = new KernelGeometry();
        weight.Scalars[0] = batchSize;
        p.Launch(ModuleName, "accumulate", 1, ref weight, total, p.RecordedResult);
    }
}
