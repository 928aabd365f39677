using System.Text.RegularExpressions;
using Differentiable.Cuda.Native;
using Differentiable.Scheduling;

namespace Differentiable.Cuda;

/// <summary>A <c>CUmodule</c> loaded from PTX; its kernels are looked up once by name and remembered.</summary>
internal sealed partial class CudaModule : IKernelModule
{
    private readonly CudaBackend _owner;
    private readonly Dictionary<string, CudaKernel> _kernels = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<string> _entryNames;
    private IntPtr _module;

    public CudaModule(CudaBackend owner, string name, IntPtr module, string ptx)
    {
        _owner = owner;
        Name = name;
        _module = module;
        _entryNames = EntryPattern().Matches(ptx).Select(m => m.Groups[1].Value).ToArray();
    }

    public string Name { get; }

    public IKernel this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            ObjectDisposedException.ThrowIf(_module == IntPtr.Zero, this);
            lock (_kernels)
            {
                if (_kernels.TryGetValue(name, out var known)) return known;
                _owner.MakeCurrent();
                var result = CudaDriver.cuModuleGetFunction(out var function, _module, name);
                if (result == CuResult.ErrorNotFound)
                    throw new KeyNotFoundException(
                        $"Kernel module '{Name}' has no kernel '{name}'. Its kernels: {(_entryNames.Count == 0 ? "none" : string.Join(", ", _entryNames))}. " +
                        "A kernel is found by its extern \"C\" __global__ name.");
                DriverCall.Check(result, $"looking up kernel '{name}' in module '{Name}'");
                var kernel = new CudaKernel(_owner, Name, name, function);
                _kernels[name] = kernel;
                return kernel;
            }
        }
    }

    public void Dispose()
    {
        if (_module == IntPtr.Zero) return;
        _owner.MakeCurrent();
        // Best effort, like every release: after a sticky GPU error the driver refuses it, and there is nothing to do.
        CudaDriver.cuModuleUnload(_module);
        _module = IntPtr.Zero;
        _owner.Forget(this);
    }

    /// <summary>PTX declares each kernel as <c>.visible .entry name(</c>; the names make a missing-kernel error useful.</summary>
    [GeneratedRegex(@"^\s*(?:\.visible\s+|\.weak\s+)?\.entry\s+([A-Za-z_$][\w$]*)", RegexOptions.Multiline)]
    private static partial Regex EntryPattern();
}
