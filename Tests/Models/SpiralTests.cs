using Differentiable.Samples.Models;
using Differentiable.Samples.Spiral;

namespace Differentiable.Tests.Models;

/// <summary>
/// The CNN slides' spiral classifiers: float64 gradient checks of both losses (the L2 penalty included), and full
/// training as the slides run it — the linear classifier stays near chance on interleaved spirals, the ReLU net
/// separates them (the slides: loss ≈ 0.744 and ≈ 50%; ≈ 0.251 and ≈ 98%).
/// </summary>
public class SpiralTests
{
    private static readonly (Tensor X, Labels Y) Points = SpiralData.Generate(classes: 3, perClass: 100, seed: 1);

    [Fact]
    public void The_data_is_three_arms_of_one_hundred_points_within_the_unit_disc()
    {
        var (x, y) = Points;
        Assert.Equal(new[] { 300, 2 }, x.Shape);
        Assert.Equal(Enumerable.Range(0, 3).SelectMany(c => Enumerable.Repeat(c, 100)), y.Values.ToArray());
        var xy = x.ToFloatArray();
        Assert.All(Enumerable.Range(0, 300), i => Assert.InRange(Math.Sqrt(xy[2 * i] * xy[2 * i] + xy[2 * i + 1] * xy[2 * i + 1]), 0, 1.0001));
    }

    [Fact]
    public void Linear_classifier_gradient_checks()
    {
        var model = new SpiralLinear(seed: 3) { Regularization = 0.1 };
        model.W = Tensor.Randn(new[] { 2, 3 }, new Rng(5));
        var x = Points.X.To(DType.Float64);
        ModelGradientTests.CheckModel(model, () => model.Loss(x, Points.Y), u => model.LossWithGradients(x, Points.Y, u).Gradients);
    }

    [Fact]
    public void ReLU_net_gradient_checks()
    {
        var model = new SpiralNet(hidden: 7, seed: 3) { Regularization = 0.1 };
        var rng = new Rng(6);
        (model.W1, model.W2) = (Tensor.Randn(new[] { 2, 7 }, rng), Tensor.Randn(new[] { 7, 3 }, rng));
        var x = Points.X.To(DType.Float64);
        ModelGradientTests.CheckModel(model, () => model.Loss(x, Points.Y), u => model.LossWithGradients(x, Points.Y, u).Gradients);
    }

    [Fact]
    public void Trained_as_the_slides_the_linear_classifier_stays_near_chance_and_the_ReLU_net_separates_the_arms()
    {
        var linear = SpiralTraining.Train("linear", Points.X, Points.Y, iterations: 200);
        Assert.InRange(linear.Loss, 0.70, 0.80);
        Assert.InRange(linear.Accuracy, 0.40, 0.65);

        var relu = SpiralTraining.Train("relu", Points.X, Points.Y, iterations: 10_000);
        Assert.InRange(relu.Loss, 0.20, 0.30);
        Assert.True(relu.Accuracy >= 0.95, $"ReLU net: {relu.Accuracy:P1}");
    }
}
