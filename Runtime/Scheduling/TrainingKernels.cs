using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Differentiable.Training;

namespace Differentiable.Scheduling;

/// <summary>What the optimizer kernels read: the parameters one launch updates, laid end to end.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct OptimizerArguments
{
    /// <summary>SGD only: 1 for Nesterov momentum.</summary>
    public int Nesterov;
    public int Parameters;
    /// <summary>Where parameter k ends, counting every element of the parameters before it (g.count: all of them).</summary>
    public ParameterEnds Ends;

    [InlineArray(TrainingKernels.ParametersPerLaunch)] public struct ParameterEnds { private int _e; }
}

/// <summary>
/// The kernels a device training step appends to a model's generated program: the SGD update and the loss
/// accumulator. They take the same <c>Geometry</c> as generated kernels, so the same backends and graphs run them.
/// </summary>
public static class TrainingKernels
{
    public const string ModuleName = "Differentiable.Training";

    public const string OptimizerArgumentsCuda = @"struct OptimizerArguments
{
    int nesterov;
    int parameters;
    int ends[14];
};
";

    public const string Source = KernelPrelude.Geometry + OptimizerArgumentsCuda + @"
// The optimizers update several parameters per launch (a launch costs more than the update of a small parameter).
// table: per parameter the addresses of the parameter, its gradient and its state buffers. Element i of the launch
// is element *j of parameter k.
__device__ __forceinline__ int parameter_of(const Geometry& g, int i, int* j)
{
    const OptimizerArguments& args = arguments_of<OptimizerArguments>(g);
    int k = 0;
    while (i >= args.ends[k]) ++k;
    *j = i - (k == 0 ? 0 : args.ends[k - 1]);
    return k;
}

// step[0] counts the optimizer's steps on the device (it starts at 0), as PyTorch's optimizers count them.
extern ""C"" __global__ void count_step(const Geometry g, int* __restrict__ step)
{
    if (blockIdx.x * blockDim.x + threadIdx.x == 0) step[0] += 1;
}

// torch.optim.SGD: d = g + wd·p; with momentum μ, b ← d on the first step, else μ·b + (1 − τ)·d (τ: dampening;
// without it, b starts at 0 and μ·0 + d is the first step's d, so the step count is only read, and kept, with τ ≠ 0);
// p ← p − lr·(Nesterov ? d + μ·b : b). State: the momentum buffer b. scalars: lr, μ, wd, τ.
extern ""C"" __global__ void sgd(const Geometry g, const unsigned long long* __restrict__ table, const int* __restrict__ step)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    int j;
    const int k = parameter_of(g, i, &j);
    float* parameter = (float*)table[3 * k];
    const float* gradient = (const float*)table[3 * k + 1];
    float* momentum = (float*)table[3 * k + 2];
    const float lr = g.scalars[0], mu = g.scalars[1], wd = g.scalars[2], dampening = g.scalars[3];
    float d = gradient[j] + wd * parameter[j];
    if (mu != 0.0f)
    {
        const float b = step[0] == 1 ? d : mu * momentum[j] + (1.0f - dampening) * d;
        momentum[j] = b;
        d = arguments_of<OptimizerArguments>(g).nesterov ? d + mu * b : b;
    }
    parameter[j] -= lr * d;
}

// torch.optim.Adam (not AdamW): d = g + wd·p; m ← β₁m + (1−β₁)d; v ← β₂v + (1−β₂)d²;
// p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε), t = step[0]. State: m and v. scalars: lr, β₁, β₂, ε, wd. The bias
// corrections are computed in double, as on the CPU, from the float β's (1 − β₂ᵗ differs from the CPU's by ~1e-5 relative).
extern ""C"" __global__ void adam(const Geometry g, const unsigned long long* __restrict__ table, const int* __restrict__ step)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.count) return;
    int j;
    const int k = parameter_of(g, i, &j);
    float* parameter = (float*)table[4 * k];
    const float* gradient = (const float*)table[4 * k + 1];
    float* m = (float*)table[4 * k + 2];
    float* v = (float*)table[4 * k + 3];
    const float b1 = g.scalars[1], b2 = g.scalars[2], eps = g.scalars[3], wd = g.scalars[4];
    const float step_size = (float)(g.scalars[0] / (1.0 - pow((double)b1, step[0])));
    const float correction2 = (float)sqrt(1.0 - pow((double)b2, step[0]));
    const float d = gradient[j] + wd * parameter[j];
    const float mj = b1 * m[j] + (1.0f - b1) * d;
    const float vj = b2 * v[j] + (1.0f - b2) * d * d;
    m[j] = mj;
    v[j] = vj;
    parameter[j] -= step_size * mj / (sqrtf(vj) / correction2 + eps);
}

// total[0] += loss[0] · scalars[0] (the batch size): the epoch's loss stays on the device until it is asked for.
extern ""C"" __global__ void accumulate(const Geometry g, float* __restrict__ total, const float* __restrict__ loss)
{
    if (blockIdx.x * blockDim.x + threadIdx.x != 0) return;
    total[0] += loss[0] * g.scalars[0];
}
";

    /// <summary>Parameters per optimizer launch: what <see cref="OptimizerArguments"/> holds the ends of.</summary>
    public const int ParametersPerLaunch = KernelGeometry.MaxArguments - 2;

    /// <summary>
    /// Appends <paramref name="optimizer"/>'s update of every recorded gradient's parameter (its state in external
    /// buffers <c>momentum:{path}</c>, <c>adam_m:{path}</c>, <c>adam_v:{path}</c>, the step count in
    /// <c>optimizer:step</c>), up to <see cref="ParametersPerLaunch"/> parameters per launch, and the accumulation of
    /// the result, weighted by <paramref name="batchSize"/>, into <c>loss:total</c>.
    /// </summary>
    public static void AppendUpdate(ProgramBuilder p, Optimizer optimizer, int batchSize)
    {
        p.AddModule(ModuleName, Source);
        var step = p.External("optimizer:step", "optimizer_step", new[] { 1 }, ElementKind.Int32);
        // Plain SGD (no dampening) does not read the count: its first step needs no special case, so no launch counts.
        if (optimizer is not Sgd { Dampening: 0 })
        {
            var counting = new KernelGeometry();
            p.Launch(ModuleName, "count_step", 1, ref counting, step);
        }
        switch (optimizer)
        {
            case Sgd sgd:
                AppendUpdates(p, "sgd", new[] { "momentum" }, step, flag: sgd.Nesterov ? 1 : 0,
                    (float)sgd.LearningRate, (float)sgd.Momentum, (float)sgd.WeightDecay, (float)sgd.Dampening);
                break;
            case Adam adam:
                AppendUpdates(p, "adam", new[] { "adam_m", "adam_v" }, step, flag: 0,
                    (float)adam.LearningRate, (float)adam.Beta1, (float)adam.Beta2, (float)adam.Epsilon, (float)adam.WeightDecay);
                break;
            default:
                throw new NotSupportedException($"{optimizer.GetType().Name} has no device kernel; SGD and Adam do.");
        }
        var total = p.External("loss:total", "loss_total", new[] { 1 }, ElementKind.Float32);
        var weight = new KernelGeometry();
        weight.Scalars[0] = batchSize;
        p.Launch(ModuleName, "accumulate", 1, ref weight, total, p.RecordedResult);
    }

    /// <summary>
    /// One launch of <paramref name="kernel"/> per chunk of parameters; <paramref name="flag"/> is Nesterov's,
    /// <paramref name="scalars"/> to g.scalars in order.
    /// </summary>
    private static void AppendUpdates(ProgramBuilder p, string kernel, string[] state, DeviceTensor step, int flag, params float[] scalars)
    {
        foreach (var chunk in p.RecordedGradients.Chunk(ParametersPerLaunch))
        {
            var g = new KernelGeometry();
            for (var s = 0; s < scalars.Length; s++) g.Scalars[s] = scalars[s];
            var arguments = new OptimizerArguments { Nesterov = flag, Parameters = chunk.Length };
            var entries = new List<DeviceTensor>();
            long end = 0;
            for (var k = 0; k < chunk.Length; k++)
            {
                var (path, gradient) = chunk[k];
                var parameter = p.Parameter(path);
                entries.Add(parameter);
                entries.Add(gradient);
                foreach (var name in state) entries.Add(p.External($"{name}:{path}", $"{name}_{path}", parameter.Shape, ElementKind.Float32));
                end += parameter.Count;
                if (end > int.MaxValue) throw new InvalidOperationException($"{p.Name}: the parameters updated by one {kernel} launch exceed {int.MaxValue} elements.");
                arguments.Ends[k] = (int)end;
            }
            KernelArguments.Set(ref g, arguments);
            var table = p.AddressTable($"{kernel}_table", entries);
            // The table is the kernel's first pointer; the parameters and state buffers it names are written.
            p.Launch(ModuleName, kernel, end, ref g, table, step);
        }
    }
}
