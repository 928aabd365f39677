namespace Differentiable.Samples.Training;

/// <summary>What the ten classes of an MNIST-format data set are called, for captions and reports.</summary>
internal static class ClassNames
{
    public static readonly string[] Choices = { "digits", "fashion" };

    /// <summary>Fashion-MNIST's classes in label order (Zalando's README).</summary>
    public static readonly string[] Fashion =
        { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

    /// <summary>Names for <paramref name="choice"/>; null for digits, which are their own names.</summary>
    public static IReadOnlyList<string>? For(string choice) => choice == "fashion" ? Fashion : null;
}
