using System.Runtime.CompilerServices;

namespace Differentiable.Tests.Support;

/// <summary>
/// Golden-file checks with Verify's conventions (Verify.Xunit is not served here): the expected text lives next
/// to the test as <c>{Class}.{Method}#{hint}.verified.cs</c>; on a mismatch the actual text is written beside it
/// as <c>.received.cs</c> (git-ignored) and the test fails with the first differing line. Set
/// <c>DIFFERENTIABLE_ACCEPT_SNAPSHOTS=1</c> to accept the received text as the new verified file.
/// </summary>
public static class Snapshot
{
    public static void Verify(string actual, string hint, [CallerFilePath] string testFile = "", [CallerMemberName] string method = "")
    {
        actual = actual.Replace("\r\n", "\n");
        var directory = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        var stem = $"{Path.GetFileNameWithoutExtension(testFile)}.{method}#{hint}";
        var verified = Path.Combine(directory, stem + ".verified.cs");
        var received = Path.Combine(directory, stem + ".received.cs");

        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }

        Directory.CreateDirectory(directory);
        if (Environment.GetEnvironmentVariable("DIFFERENTIABLE_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No verified snapshot {verified}; the output was written to {received}. Review it, then rerun with DIFFERENTIABLE_ACCEPT_SNAPSHOTS=1 to accept."
            : $"Snapshot {verified} differs from the output ({received}): {FirstDifference(expected, actual)}");
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end of file>";
            var al = i < a.Length ? a[i] : "<end of file>";
            if (el != al) return $"line {i + 1}\n  verified: {el}\n  received: {al}";
        }
        return "line endings";
    }
}
