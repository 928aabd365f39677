using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Differentiable.Cuda;

/// <summary>
/// The format of one file of the PTX disk cache: a one-line header, then the PTX exactly as NVRTC produced it.
/// <code>
/// // differentiable-ptx v1 key=&lt;the cache key, 64 hex&gt; length=&lt;bytes of PTX&gt; sha256=&lt;SHA-256 of those bytes, 64 hex&gt;
/// </code>
/// The header is a PTX comment, so the file is still PTX a person can read or hand to ptxas. It exists so that damage
/// is a miss, never a kernel: the key catches a file copied or renamed from another entry (which would otherwise load
/// another kernel), the length a truncated file, the hash a changed byte in the PTX (a flipped digit in an offset
/// still parses). A changed byte in the header itself breaks its strict pattern or one of those three comparisons:
/// the pattern admits exactly one spelling of each field, so a header that passes is the one that was written.
/// </summary>
internal static partial class PtxCacheFile
{
    // Long enough for any header we write (about 190 bytes); a file with no newline by then has no header.
    private const int MaxHeaderBytes = 512;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static byte[] Encode(string key, string ptx)
    {
        var body = Utf8.GetBytes(ptx);
        var header = Encoding.ASCII.GetBytes(Header(key, body) + "\n");
        return [.. header, .. body];
    }

    /// <summary>
    /// The PTX in <paramref name="file"/> if its header vouches for it under <paramref name="key"/>; otherwise false,
    /// and <paramref name="problem"/> says what is wrong, to finish the sentence "the cached file ...".
    /// </summary>
    public static bool TryDecode(string key, ReadOnlySpan<byte> file, out string ptx, out string problem)
    {
        ptx = "";
        problem = "";
        if (file.IsEmpty) return Reject("is empty", out problem);

        var newline = file[..Math.Min(file.Length, MaxHeaderBytes)].IndexOf((byte)'\n');
        // Latin-1 maps every byte to one char, so garbage cannot make the decode itself fail.
        var header = newline < 0 ? null : Encoding.Latin1.GetString(file[..newline]);
        var fields = header is null ? null : HeaderPattern().Match(header);
        if (fields is null || !fields.Success)
            return Reject("has no differentiable-ptx v1 header (it is damaged, or was written by an older version)", out problem);

        var body = file[(newline + 1)..];
        var writtenFor = fields.Groups["key"].Value;
        if (writtenFor != key)
            return Reject($"was written for another key ({writtenFor}): it was copied or renamed from another entry", out problem);
        var length = long.Parse(fields.Groups["length"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        if (length != body.Length)
            return Reject(length > body.Length
                ? $"is truncated: its header promises {length} bytes of PTX, the file holds {body.Length}"
                : $"holds {body.Length} bytes of PTX where its header promises {length}", out problem);
        if (fields.Groups["sha256"].Value != Sha256(body))
            return Reject("does not match the SHA-256 in its header: a byte of it has changed", out problem);

        ptx = Utf8.GetString(body);
        return true;
    }

    private static string Header(string key, ReadOnlySpan<byte> body) =>
        $"// differentiable-ptx v1 key={key} length={body.Length.ToString(CultureInfo.InvariantCulture)} sha256={Sha256(body)}";

    private static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static bool Reject(string why, out string problem)
    {
        problem = why;
        return false;
    }

    [GeneratedRegex(@"^// differentiable-ptx v1 key=(?<key>[0-9a-f]{64}) length=(?<length>0|[1-9][0-9]{0,9}) sha256=(?<sha256>[0-9a-f]{64})$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderPattern();
}
