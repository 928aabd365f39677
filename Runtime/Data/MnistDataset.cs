namespace Differentiable.Data;

/// <summary>
/// An in-memory image classification data set: <see cref="Images"/> is a Float32 tensor of shape (n, pixels) with
/// values in [0, 1] (784 pixels for MNIST's 28×28 digits), <see cref="Labels"/> the n class indices.
/// Immutable by convention: no method here changes a data set; <see cref="Slice(int[])"/> and
/// <see cref="Split(int, ulong)"/> copy the selected rows into new ones.
/// </summary>
public sealed class MnistDataset
{
    private readonly int[] _labels;

    /// <summary>
    /// Wraps <paramref name="images"/> (Float32, shape (n, pixels)) and copies <paramref name="labels"/> (n values).
    /// The tensor is kept as is, not copied (it can be ~190 MB for full MNIST), so do not write into it afterwards.
    /// </summary>
    public MnistDataset(Tensor images, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Rank != 2 || images.DType != DType.Float32)
            throw new ArgumentException($"Images must be a Float32 tensor of shape (n, pixels); got {images.DType} {images.ShapeString()}.", nameof(images));
        if (images.Shape[0] != labels.Length)
            throw new ArgumentException($"{images.Shape[0]} images but {labels.Length} labels; they must match one to one.", nameof(labels));
        Images = images;
        _labels = (int[])labels.Clone();
        Labels = Array.AsReadOnly(_labels);
    }

    /// <summary>The images, one per row, as Float32 in [0, 1].</summary>
    public Tensor Images { get; }

    /// <summary>The class index of each image (a read-only view; see <see cref="LabelSpan"/> for bulk access).</summary>
    public IReadOnlyList<int> Labels { get; }

    /// <summary>The labels as a span, for loops that should not go through an interface.</summary>
    public ReadOnlySpan<int> LabelSpan => _labels;

    /// <summary>The number of samples.</summary>
    public int Count => _labels.Length;

    /// <summary>Pixels per image: the width of <see cref="Images"/> (784 for MNIST).</summary>
    public int PixelsPerImage => Images.Shape[1];

    /// <summary>All labels as one <see cref="Differentiable.Labels"/> batch, e.g. to evaluate on the whole set at once.</summary>
    public Differentiable.Labels ToLabels() => new(_labels);

    /// <summary>
    /// Loads an IDX images file and its IDX labels file (each raw or gzip); the counts must agree.
    /// Throws <see cref="DataFormatException"/> naming the file and the problem when either is malformed.
    /// </summary>
    public static MnistDataset Load(string imagesPath, string labelsPath)
    {
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (images.Count != labels.Length)
            throw new DataFormatException(imagesPath,
                $"image/label count mismatch: {imagesPath} holds {images.Count} images but {labelsPath} holds {labels.Length} labels.");
        return FromIdx(images, labels);
    }

    /// <summary>Builds a data set from IDX bytes, scaling each pixel byte b to b / 255.</summary>
    public static MnistDataset FromIdx(IdxImages images, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        var tensor = Tensor.Zeros(new[] { images.Count, images.PixelsPerImage }, DType.Float32);
        var values = tensor.Span<float>();
        var pixels = images.Pixels;
        for (var i = 0; i < pixels.Length; i++) values[i] = pixels[i] / 255f;
        return new MnistDataset(tensor, labels);
    }

    /// <summary>
    /// Loads the standard MNIST files from <paramref name="directory"/>: train-images-idx3-ubyte, train-labels-idx1-ubyte,
    /// t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each optionally ending in ".gz" (the dotted spelling
    /// "train-images.idx3-ubyte" of some mirrors is accepted too).
    /// </summary>
    public static (MnistDataset Train, MnistDataset Test) LoadDirectory(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"MNIST data directory '{directory}' does not exist.");
        var train = Load(Find(directory, "train-images", "idx3-ubyte"), Find(directory, "train-labels", "idx1-ubyte"));
        var test = Load(Find(directory, "t10k-images", "idx3-ubyte"), Find(directory, "t10k-labels", "idx1-ubyte"));
        return (train, test);
    }

    private static string Find(string directory, string stem, string kind)
    {
        string[] candidates =
        [
            $"{stem}-{kind}", $"{stem}-{kind}.gz",
            $"{stem}.{kind}", $"{stem}.{kind}.gz",
        ];
        foreach (var name in candidates)
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException(
            $"MNIST file '{stem}-{kind}' not found in '{directory}' (looked for {string.Join(", ", candidates)}).",
            Path.Combine(directory, candidates[0]));
    }

    /// <summary>A new data set holding the samples at <paramref name="indices"/>, in that order (repeats allowed).</summary>
    public MnistDataset Slice(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return Slice(indices.AsSpan());
    }

    /// <inheritdoc cref="Slice(int[])"/>
    public MnistDataset Slice(ReadOnlySpan<int> indices)
    {
        var width = PixelsPerImage;
        var images = Tensor.Zeros(new[] { indices.Length, width }, DType.Float32);
        var labels = new int[indices.Length];
        CopyRows(indices, images.Span<float>(), labels);
        return new MnistDataset(images, labels);
    }

    /// <summary>Copies the selected rows and labels into the destinations (shared with batching).</summary>
    internal void CopyRows(ReadOnlySpan<int> indices, Span<float> images, Span<int> labels)
    {
        var width = PixelsPerImage;
        var source = Images.ReadOnlySpan<float>();
        for (var i = 0; i < indices.Length; i++)
        {
            var index = indices[i];
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"Index {index} (position {i}) is outside the data set of {Count} samples.");
            source.Slice(index * width, width).CopyTo(images.Slice(i * width, width));
            labels[i] = _labels[index];
        }
    }

    /// <summary>
    /// Splits into disjoint parts after a seeded shuffle: the first round(trainFraction · Count) shuffled samples form
    /// Train, the rest Test. The same seed always gives the same split.
    /// </summary>
    public (MnistDataset Train, MnistDataset Test) Split(double trainFraction, ulong seed)
    {
        if (!(trainFraction >= 0 && trainFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(trainFraction), trainFraction, "The train fraction must be between 0 and 1.");
        return Split((int)Math.Round(trainFraction * Count, MidpointRounding.AwayFromZero), seed);
    }

    /// <summary>Splits into <paramref name="trainCount"/> shuffled samples (Train) and the remaining ones (Test).</summary>
    public (MnistDataset Train, MnistDataset Test) Split(int trainCount, ulong seed)
    {
        if (trainCount < 0 || trainCount > Count)
            throw new ArgumentOutOfRangeException(nameof(trainCount), trainCount, $"The train count must be between 0 and the data set's {Count} samples.");
        var order = new int[Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        new Rng(seed).Shuffle(order);
        return (Slice(order.AsSpan(0, trainCount)), Slice(order.AsSpan(trainCount)));
    }

    public override string ToString() => $"MnistDataset({Count} samples of {PixelsPerImage} pixels)";
}
