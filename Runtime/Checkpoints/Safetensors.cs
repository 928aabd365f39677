namespace Differentiable.Checkpoints;

/// <summary>
/// Saves and loads model parameters in Hugging Face's safetensors format
/// (https://github.com/huggingface/safetensors), so checkpoints can be inspected or loaded by other tools
/// (Python's <c>safetensors.numpy.load_file</c>, for one). Float32 tensors are stored as <c>F32</c>, Float64 as <c>F64</c>,
/// little-endian, row-major; tensors are named by parameter path (<c>W1</c>, <c>L1.W</c>) and written in parameter order.
/// </summary>
public static class Safetensors
{
    /// <summary>
    /// Writes every parameter of <paramref name="model"/> to <paramref name="path"/>, atomically: the file is written
    /// to a temporary file beside it, flushed to disk and then renamed over <paramref name="path"/>, so a crash or an
    /// error leaves either the old file or the complete new one.
    /// </summary>
    public static void Save(IModule model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Save(new ParameterView(model.Parameters()), path, metadata);
    }

    /// <summary>Writes named tensors to <paramref name="path"/> in the given order, atomically (see <see cref="Save(IModule, string, IReadOnlyDictionary{string, string}?)"/>).</summary>
    /// <exception cref="ArgumentException">A name is empty, duplicated or <c>__metadata__</c>, or a tensor is null; nothing is written.</exception>
    public static void Save(IReadOnlyList<(string Name, Tensor Tensor)> tensors, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var writer = new SafetensorsWriter(path, tensors, metadata);
        AtomicFile.Write(path, writer.WriteTo);
    }

    /// <summary>
    /// Checks, before any work, that a later <see cref="Save(IModule, string, IReadOnlyDictionary{string, string}?)"/>
    /// to <paramref name="path"/> can write: its directory exists and is writable, and it is not a directory, device or
    /// pipe (a symbolic link is followed to its target). Training loops call it before training, so that a bad path
    /// does not cost the run.
    /// </summary>
    /// <exception cref="CheckpointException">What is wrong with the path.</exception>
    public static void CheckSavePath(string path) => AtomicFile.Target(path);

    /// <summary>
    /// Loads a checkpoint into <paramref name="model"/>. The file must hold exactly the model's parameters, each with
    /// the model's shape and dtype (no conversion: silently widening or narrowing would hide a mismatched checkpoint).
    /// Every check is made and every tensor read before any parameter changes, so a failed load leaves the model as it was.
    /// Each parameter is then given a new tensor (its <see cref="NamedParameter.Value"/> is replaced, not written
    /// into), in keeping with tensors being values: a tensor the caller still holds is never changed behind its back.
    /// The loaded values are bit-identical to the saved ones.
    /// </summary>
    /// <exception cref="CheckpointException">The file is corrupt or does not match the model; the message names the file and the tensor.</exception>
    public static void Load(IModule model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var parameters = model.Parameters();

        using var reader = new SafetensorsReader(path);
        var entries = new Dictionary<string, SafetensorsReader.Entry>(StringComparer.Ordinal);
        foreach (var e in reader.Entries) entries[e.Name] = e;

        var parameterNames = parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var missing = parameters.Where(p => !entries.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        if (missing.Count > 0)
            throw new CheckpointException(path,
                $"{string.Join(", ", missing)}: the model has {(missing.Count == 1 ? "this parameter" : "these parameters")} but the checkpoint does not "
                + $"(it holds {Describe(reader.Entries.Select(e => e.Name))})", missing[0]);
        var extra = reader.Entries.Where(e => !parameterNames.Contains(e.Name)).Select(e => e.Name).ToList();
        if (extra.Count > 0)
            throw new CheckpointException(path,
                $"{string.Join(", ", extra)}: the checkpoint has {(extra.Count == 1 ? "this tensor" : "these tensors")} but the model has no such parameter "
                + $"(it has {Describe(parameters.Select(p => p.Name))})", extra[0]);

        var loaded = new Tensor[parameters.Count];
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            var current = parameter.Value;
            var entry = entries[parameter.Name];
            if (!entry.Shape.SequenceEqual(current.Shape.Select(d => (long)d)))
                throw new CheckpointException(path,
                    $"{parameter.Name}: the checkpoint has shape {SafetensorsReader.FormatShape(entry.Shape)} but the model expects {current.ShapeString()}", parameter.Name);
            var expected = SafetensorsDTypes.Code(current.DType);
            if (entry.DType != expected)
                throw new CheckpointException(path,
                    $"{parameter.Name}: the checkpoint has dtype {entry.DType} but the model expects {expected} ({current.DType}); convert the model or the checkpoint explicitly",
                    parameter.Name);
        }
        for (var i = 0; i < parameters.Count; i++)
            loaded[i] = reader.ReadTensor(entries[parameters[i].Name]);

        for (var i = 0; i < parameters.Count; i++)
            parameters[i].Value = loaded[i];
    }

    /// <summary>Reads every tensor and the metadata of a safetensors file; only F32 and F64 tensors are supported.</summary>
    /// <exception cref="CheckpointException">The file is corrupt or holds a dtype other than F32/F64 (named in the message).</exception>
    public static SafetensorsContents ReadAll(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new SafetensorsReader(path);
        // Refuse an unsupported dtype before reading megabytes of other tensors.
        foreach (var e in reader.Entries)
            if (SafetensorsDTypes.ToDType(e.DType) is null)
                throw new CheckpointException(path, $"{e.Name}: dtype {e.DType} is not supported; this runtime reads only F32 and F64 tensors", e.Name);
        var tensors = reader.Entries.Select(e => (e.Name, reader.ReadTensor(e))).ToList();
        return new SafetensorsContents(tensors, reader.Metadata);
    }

    private static string Describe(IEnumerable<string> names)
    {
        var list = names.ToList();
        const int shown = 10;
        if (list.Count == 0) return "none";
        return string.Join(", ", list.Take(shown)) + (list.Count > shown ? $", ... ({list.Count} in all)" : "");
    }

    /// <summary>
    /// The model's parameters as (name, tensor) pairs, reading <see cref="NamedParameter.Value"/> on each access
    /// rather than snapshotting, so the writer sees (and checks) what the model holds when the bytes are written.
    /// </summary>
    private sealed class ParameterView(IReadOnlyList<NamedParameter> parameters) : IReadOnlyList<(string Name, Tensor Tensor)>
    {
        public (string Name, Tensor Tensor) this[int index] => (parameters[index].Name, parameters[index].Value);

        public int Count => parameters.Count;

        public IEnumerator<(string Name, Tensor Tensor)> GetEnumerator()
        {
            for (var i = 0; i < Count; i++) yield return this[i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
