using System.Runtime.InteropServices;
using Differentiable.Scheduling;

namespace Differentiable.Tests.Support.Emulation;

/// <summary>The kernels of one source, compiled into a shared library that stays loaded until disposal.</summary>
internal sealed class EmulatedModule : IKernelModule
{
    private readonly nint _library;
    private readonly Dictionary<string, EmulatedKernel> _kernels;
    private bool _disposed;

    public EmulatedModule(string name, string libraryPath, IReadOnlyList<KernelSignature> signatures)
    {
        Name = name;
        _library = NativeLibrary.Load(libraryPath);
        _kernels = signatures.ToDictionary(
            signature => signature.Name,
            signature => new EmulatedKernel(this, signature, NativeLibrary.GetExport(_library, signature.Name + TranslationUnit.LauncherSuffix)));
    }

    public string Name { get; }

    public IKernel this[string name] =>
        _kernels.TryGetValue(name, out var kernel)
            ? kernel
            : throw new KeyNotFoundException($"Module '{Name}' has no kernel '{name}'; it has: {string.Join(", ", _kernels.Keys.Order())}.");

    public void ThrowIfDisposed()
    {
        if (_disposed)
            throw new ObjectDisposedException($"module '{Name}'", "The module was disposed; its kernels can no longer run.");
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        NativeLibrary.Free(_library);
    }
}
