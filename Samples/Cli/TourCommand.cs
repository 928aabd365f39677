using System.CommandLine;
using Differentiable.Samples.Models;

namespace Differentiable.Samples.Cli;

/// <summary><c>tour</c>: the seed's TunedSin numbers, one FlatNet gradient, and the autograd tutorial's f(a) with control flow, computed by generated code.</summary>
internal static class TourCommand
{
    public static Command Create()
    {
        var command = new Command("tour", "the seed's TunedSin numbers and a FlatNet gradient");
        command.SetAction(_ => Run());
        return command;
    }

    private static int Run()
    {
        var x = Tensor.FromArray(new float[] { 1, 2 }, 2);
        var w = Tensor.FromArray(new float[] { 2, 3 }, 2);
        var upstream = Tensor.FromArray(new float[] { 1.2f, 1.6f }, 2);
        var (y, grads) = TunedSin.ApplyHandWrittenWithGradients(x, w, upstream);
        Console.WriteLine($"TunedSin y = {y}");
        Console.WriteLine($"grad x = {grads.x}");
        Console.WriteLine($"grad w = {grads.w}");

        var net = new FlatNet();
        var batch = Tensor.Randn(new[] { 4, 784 }, new Rng(7));
        var labels = Labels.FromArray(3, 1, 4, 1);
        var (loss, g) = net.LossWithGradients(batch, labels);
        Console.WriteLine($"FlatNet loss on a random batch = {loss.Item():F4}; gradients: {string.Join(", ", g.All.Select(p => $"{p.Name} {p.Gradient.ShapeString()}"))}");

        // The tutorial's data-dependent f(a): gradients follow the path taken (PyTorch: 1638400 and 2048).
        foreach (var a in new[] { -0.0632, 0.5 })
        {
            var (c, fg) = Tutorial.FWithGradients(Tensor.FromArray(new[] { a }, 1));
            Console.WriteLine($"Tutorial f(a = {a}) = {c.ToDoubleArray()[0]}; df/da = {fg.a.ToDoubleArray()[0]}");
        }
        return 0;
    }
}
