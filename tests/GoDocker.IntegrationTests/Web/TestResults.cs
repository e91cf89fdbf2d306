namespace GoDocker.IntegrationTests.Web;

/// <summary>
/// Where browser tests leave what a person reads after a run: GODOCKER_TEST_RESULTS (./godocker.sh test sets it to
/// out/test-results, which CI keeps), else a folder under the system's temp folder.
/// </summary>
public static class TestResults
{
    public static string Root { get; } =
        Environment.GetEnvironmentVariable("GODOCKER_TEST_RESULTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Path.GetTempPath(), "godocker-test-results");

    /// <summary>screenshots/&lt;TestClass&gt;/&lt;name&gt;.png (the folder is made).</summary>
    public static string Screenshot(string testClass, string name) => FileIn("screenshots", testClass, name + ".png");

    /// <summary>traces/&lt;TestClass&gt;/&lt;name&gt;.zip: a Playwright trace (`playwright show-trace` opens it).</summary>
    public static string Trace(string testClass, string name) => FileIn("traces", testClass, name + ".zip");

    private static string FileIn(string kind, string testClass, string file)
    {
        var folder = Directory.CreateDirectory(Path.Combine(Root, kind, Safe(testClass))).FullName;
        return Path.Combine(folder, Safe(file));
    }

    /// <summary>A test's name as a file name: theory arguments and odd characters become '_'.</summary>
    private static string Safe(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
