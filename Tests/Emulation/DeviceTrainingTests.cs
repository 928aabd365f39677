using Differentiable.Data;
using Differentiable.Samples.Training;
using Differentiable.Tests.Support.Emulation;
using Differentiable.Training;

namespace Differentiable.Tests.Emulation;

/// <summary>
/// Training on the device (the training set uploaded once and each batch gathered on the device in the CPU loop's
/// seeded order, graph replay per batch, SGD with momentum in a kernel, the loss accumulated on the device, a second
/// program for the last partial batch sharing the parameters and the data set's cursor) follows the CPU loop step for step.
/// </summary>
public sealed class DeviceTrainingTests
{
    [SkippableTheory]
    [InlineData("flatnet")]
    [InlineData("cnn")]
    public void DeviceTrainingFollowsTheCpu(string modelName)
    {
        EmulatorRequirement.SkipUnlessAvailable();
        var rng = new Rng(5);
        var train = new MnistDataset(Tensor.Rand(new[] { 70, 784 }, rng), Enumerable.Range(0, 70).Select(i => i % 10).ToArray());
        var test = new MnistDataset(Tensor.Rand(new[] { 20, 784 }, rng), Enumerable.Range(0, 20).Select(i => (i * 3) % 10).ToArray());

        var cpuModel = TrainableModel.Create(modelName, seed: 3);
        var cpu = TrainingLoop.Run(cpuModel, new Sgd(cpuModel.Module, 0.05, momentum: 0.5), train, test, 2, 32, 11, TextWriter.Null).ToList();
        var deviceModel = TrainableModel.Create(modelName, seed: 3);
        using var backend = new HostEmulatorBackend();
        var device = DeviceTrainingLoop.Run(backend, deviceModel, new Sgd(deviceModel.Module, 0.05, momentum: 0.5), train, test, 2, 32, 11, TextWriter.Null).ToList();

        for (var epoch = 0; epoch < 2; epoch++)
        {
            Assert.Equal(cpu[epoch].TrainLoss, device[epoch].TrainLoss, 1e-4 * Math.Abs(cpu[epoch].TrainLoss));
            Assert.Equal(cpu[epoch].TestLoss, device[epoch].TestLoss, 1e-4 * Math.Abs(cpu[epoch].TestLoss));
        }
        foreach (var (expected, actual) in cpuModel.Module.Parameters().Zip(deviceModel.Module.Parameters()))
        {
            var e = expected.Value.ToFloatArray();
            var a = actual.Value.ToFloatArray();
            var scale = e.Max(v => Math.Abs(v));
            Assert.True(e.Zip(a).All(p => Math.Abs(p.First - p.Second) <= 1e-4 * scale), $"{expected.Name} differs after training on the device");
        }
    }
}
