using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Differentiable.Scheduling;

public sealed partial class ProgramBuilder
{
    /// <summary>
    /// Whether the program's launches depend on values read while it was recorded: a body with control flow on numbers
    /// (a loop over a list of layers, a bound read from a field) records the path it takes for those values.
    /// <see cref="DeviceModel.RecordAgainIfChanged"/> records such a program again and compares.
    /// </summary>
    public bool DependsOnRecordedValues { get; private set; }

    /// <summary>Called by a generated device program whose control flow runs while it records (see <see cref="DependsOnRecordedValues"/>).</summary>
    public void RecordsValuesReadNow() => DependsOnRecordedValues = true;

    /// <summary>
    /// A digest of what was recorded: every step's kernel, size, geometry (shapes, strides, run-time numbers) and
    /// operands, the buffers' sizes, and the parameters, inputs and gradients by name. Two recordings with the same
    /// fingerprint are the same program.
    /// </summary>
    public string Fingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Text(string s) => hash.AppendData(System.Text.Encoding.UTF8.GetBytes(s + "\n"));
        void Number(long n) => hash.AppendData(BitConverter.GetBytes(n));
        foreach (var step in _steps)
        {
            switch (step)
            {
                case LaunchStep launch:
                    Text(launch.Module);
                    Text(launch.Kernel);
                    Number(launch.Blocks);
                    var geometry = launch.Geometry;
                    hash.AppendData(MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref geometry, 1)));
                    foreach (var operand in launch.Operands)
                    {
                        Number(operand.Buffer.Id);
                        Number(operand.ByteOffset);
                    }
                    break;
                case ZeroStep zero:
                    Number(zero.Target.Buffer.Id);
                    Number(zero.Target.ByteOffset);
                    Number(zero.Bytes);
                    break;
            }
        }
        foreach (var buffer in _buffers) Number(buffer.Bytes);
        foreach (var key in _externals.Keys.Order(StringComparer.Ordinal)) Text(key);
        foreach (var key in _gradients.Keys.Order(StringComparer.Ordinal)) Text(key);
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
