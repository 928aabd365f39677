namespace Differentiable.Scheduling;

/// <summary>
/// The kernels a device training step appends to a model's generated program: the SGD update and the loss
/// accumulator. They take the same <c>Geometry</c> as generated kernels, so the same backends and graphs run them.
/// </summary>
public static class TrainingKernels
{
    public const string ModuleName = "Differentiable.Training";

    public const string Source = KernelPrelude.Geometry + @"
// torch.optim.SGD with dampening 0, for several parameters in one launch (a launch costs more than the update of
// a small parameter): d = g + wd·p; b ← μ·b + d (b starts at 0, so the first step gives b = g as in PyTorch);
// p ← p − lr·(Nesterov ? d + μ·b : b). table: per parameter the addresses of the parameter, its gradient and its
// momentum buffer. ints[0]: Nesterov, ints[1]: parameters, ints[2 + k]: where parameter k ends when the parameters
// are laid end to end (g.count: all their elements). scalars: lr, μ, wd.
extern ""C"" __global__ void sgd(const Geometry g, const unsigned long long* __restrict__ table)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    int k = 0;
    while (i >= g.ints[2 + k]) ++k;
    const int j = i - (k == 0 ? 0 : g.ints[1 + k]);
    float* parameter = (float*)table[3 * k];
    const float* gradient = (const float*)table[3 * k + 1];
    float* momentum = (float*)table[3 * k + 2];
    const float lr = g.scalars[0], mu = g.scalars[1], wd = g.scalars[2];
    float d = gradient[j] + wd * parameter[j];
    if (mu != 0.0f)
    {
        const float b = mu * momentum[j] + d;
        momentum[j] = b;
        d = g.ints[0] ? d + mu * b : b;
    }
    parameter[j] -= lr * d;
}

// total[0] += loss[0] · scalars[0] (the batch size): the epoch's loss stays on the device until it is asked for.
extern ""C"" __global__ void accumulate(const Geometry g, float* __restrict__ total, const float* __restrict__ loss)
{
    if (blockIdx.x * blockDim.x + threadIdx.x != 0) return;
    total[0] += loss[0] * g.scalars[0];
}
";

    /// <summary>Parameters per <c>sgd</c> launch: their ends take g.ints[2..].</summary>
    public const int ParametersPerLaunch = KernelGeometry.MaxInts - 2;

    /// <summary>
    /// Appends an SGD update of every recorded gradient's parameter (momentum buffers <c>momentum:{path}</c>), up to
    /// <see cref="ParametersPerLaunch"/> parameters per launch, and the accumulation of the result, weighted by
    /// <paramref name="batchSize"/>, into <c>loss:total</c>.
    /// </summary>
    public static void AppendSgd(ProgramBuilder p, float learningRate, float momentum, float weightDecay, bool nesterov, int batchSize)
    {
        p.AddModule(ModuleName, Source);
        foreach (var chunk in p.RecordedGradients.Chunk(ParametersPerLaunch))
        {
            var g = new KernelGeometry();
            g.Scalars[0] = learningRate;
            g.Scalars[1] = momentum;
            g.Scalars[2] = weightDecay;
            g.Ints[0] = nesterov ? 1 : 0;
            g.Ints[1] = chunk.Length;
            var entries = new List<DeviceTensor>();
            long end = 0;
            for (var k = 0; k < chunk.Length; k++)
            {
                var (path, gradient) = chunk[k];
                var parameter = p.Parameter(path);
                entries.Add(parameter);
                entries.Add(gradient);
                entries.Add(p.External("momentum:" + path, "momentum_" + path, parameter.Shape, ElementKind.Float32));
                end += parameter.Count;
                if (end > int.MaxValue) throw new InvalidOperationException($"{p.Name}: the parameters updated by one SGD launch exceed {int.MaxValue} elements.");
                g.Ints[2 + k] = (int)end;
            }
            var table = p.AddressTable("sgd_" + string.Join("_", chunk.Select(c => c.Key)), entries);
            // The table is the kernel's one pointer; the parameters and momentum buffers it names are written.
            p.Launch(ModuleName, "sgd", end, ref g, table);
        }
        var total = p.External("loss:total", "loss_total", new[] { 1 }, ElementKind.Float32);
        var weight = new KernelGeometry();
        weight.Scalars[0] = batchSize;
        p.Launch(ModuleName, "accumulate", 1, ref weight, total, p.RecordedResult);
    }
}
