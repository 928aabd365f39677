using Differentiable.Data;

namespace Differentiable.Samples.Training;

/// <summary>
/// Mean loss and accuracy of a model over a whole data set, in large batches, without gradients, in evaluation mode
/// (<c>model.Eval()</c>: <c>Nn.Dropout</c> layers pass their input through), then back in training mode, as a PyTorch
/// loop does around its test pass.
/// </summary>
internal static class Evaluation
{
    public static (double Loss, double Accuracy) Evaluate(TrainableModel model, MnistDataset data, int batchSize = 1000)
    {
        var training = model.Module.IsTraining();
        model.Module.Eval();
        try
        {
            return Measure(model, data, batchSize);
        }
        finally
        {
            if (training) model.Module.Train();
        }
    }

    private static (double Loss, double Accuracy) Measure(TrainableModel model, MnistDataset data, int batchSize)
    {
        double lossSum = 0;
        var correct = 0;
        using var batches = data.Batches(batchSize).GetEnumerator();
        while (true)
        {
            using var scope = TensorScope.Begin();
            if (!batches.MoveNext()) break;
            var (x, y) = batches.Current;
            lossSum += model.Loss(x, y).Item() * y.Count;
            correct += CountCorrect(Predict(model, x), y);
        }
        return (lossSum / data.Count, (double)correct / data.Count);
    }

    /// <summary>The predicted class of each row: the arg-max of the model's scores (logits, log-probabilities or probabilities alike).</summary>
    public static int[] Predict(TrainableModel model, Tensor x) =>
        Ops.ArgMax(model.Scores(x), axis: 1).ToDoubleArray().Select(v => (int)v).ToArray();

    private static int CountCorrect(int[] predicted, Labels y)
    {
        var correct = 0;
        for (var i = 0; i < predicted.Length; i++) if (predicted[i] == y[i]) correct++;
        return correct;
    }
}
