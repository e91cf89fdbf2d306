using System.Diagnostics;
using GoDocker.Execution;
using GoDocker.Executors.Docker;
using GoDocker.Jobs;

namespace GoDocker.Server.Tests.Executors;

/// <summary>
/// The shell text a job's container starts with, run here through real shells (dash, Debian's sh; busybox's, the test
/// images'): the job directory is a temp folder, and so is the "volume" the --stdout/--stderr files go to.
/// </summary>
public sealed class JobProcessTests : IDisposable
{
    private readonly string mount = Directory.CreateTempSubdirectory("godocker-jobprocess-mount-").FullName;
    private readonly string volume = Directory.CreateTempSubdirectory("godocker-jobprocess-volume-").FullName;

    public JobProcessTests()
    {
        // As the launch prepares the job directory: both files there, empty.
        File.WriteAllText(Path.Combine(mount, "stdout"), "");
        File.WriteAllText(Path.Combine(mount, "stderr"), "");
    }

    public void Dispose()
    {
        Directory.Delete(mount, recursive: true);
        Directory.Delete(volume, recursive: true);
    }

    public static TheoryData<string[]> Shells() => new() { new[] { "/bin/sh" }, new[] { "busybox", "sh" } };

    private static LaunchRequest Request(string? stdout, string? stderr) => new(42, 1, "alice", new ResolvedJobSpec
    {
        Name = "align",
        Command = ["sh", "-c", "echo out; echo err >&2"],
        Image = "godocker/busybox",
        Cpus = 1,
        MemoryBytes = 1L << 30,
        Project = "default",
        Stdout = stdout,
        Stderr = stderr,
    }, "/unused");

    /// <summary>Runs the entrypoint as the container would: sh -c TEXT PROGRAM ARGS…, in <see cref="volume"/> (where a stray $(touch) would land).</summary>
    private async Task<int> RunAsync(string[] shell, LaunchRequest request, params string[] argv)
    {
        var entrypoint = JobProcess.Entrypoint(request, mount);
        Assert.Equal(["/bin/sh", "-c"], entrypoint.Take(2));
        var start = new ProcessStartInfo(shell[0]) { WorkingDirectory = volume, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var word in shell.Skip(1).Concat(entrypoint.Skip(1)).Concat(argv))
        {
            start.ArgumentList.Add(word);
        }
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    private static string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : "<missing>";

    [Fact]
    public void WithoutPaths_TheJobDirectoryKeepsBothStreams_AsBefore() =>
        Assert.Equal("exec \"$0\" \"$@\" >>/godocker/job/stdout 2>>/godocker/job/stderr", JobProcess.Redirections(Request(null, null), "/godocker/job"));

    [Theory]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$(rm -rf /)", "'$(rm -rf /)'")]
    [InlineData("a b\"c`d`", "'a b\"c`d`'")]
    [InlineData("''", "''\\'''\\'''")]
    public void Quote_SingleQuotes_ClosingAndReopeningAroundEachQuote(string text, string quoted) =>
        Assert.Equal(quoted, JobProcess.Quote(text));

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task APathWithSpacesQuotesAndSubstitutions_IsOpenedLiterally_NeverRun(string[] shell)
    {
        // Each would create a file named "pwned…" in the working folder if the shell ran it.
        var hostile = "out dir/it's \"$(touch pwned1)\" `touch pwned2` $(touch${IFS}pwned3) *; touch pwned4 %j.out";
        Directory.CreateDirectory(Path.Combine(volume, "out dir"));
        var request = Request(Path.Combine(volume, hostile), Path.Combine(volume, "err '$HOME'.%x"));

        var exit = await RunAsync(shell, request, "sh", "-c", "echo out; echo err >&2");

        Assert.Equal(0, exit);
        var literal = Path.Combine(volume, "out dir", "it's \"$(touch pwned1)\" `touch pwned2` $(touch${IFS}pwned3) *; touch pwned4 42.out");
        Assert.Equal("out\n", Read(literal));
        Assert.Equal("err\n", Read(Path.Combine(volume, "err '$HOME'.align")));
        Assert.Empty(Directory.GetFiles(volume, "pwned*", SearchOption.AllDirectories));
        Assert.Equal(("", ""), (File.ReadAllText(Path.Combine(mount, "stdout")), File.ReadAllText(Path.Combine(mount, "stderr"))));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task OnlyStdout_LeavesStderrInTheJobDirectory_AndTheFileIsAppendedTo(string[] shell)
    {
        var path = Path.Combine(volume, "%j.out");
        await File.WriteAllTextAsync(Path.Combine(volume, "42.out"), "earlier\n");

        var exit = await RunAsync(shell, Request(path, null), "sh", "-c", "echo out; echo err >&2");

        Assert.Equal(0, exit);
        Assert.Equal("earlier\nout\n", Read(Path.Combine(volume, "42.out")));
        Assert.Equal(("", "err\n"), (Read(Path.Combine(mount, "stdout")), Read(Path.Combine(mount, "stderr"))));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task OnlyStderr_LeavesStdoutInTheJobDirectory(string[] shell)
    {
        var exit = await RunAsync(shell, Request(null, Path.Combine(volume, "e.txt")), "sh", "-c", "echo out; echo err >&2");

        Assert.Equal(0, exit);
        Assert.Equal("err\n", Read(Path.Combine(volume, "e.txt")));
        Assert.Equal(("out\n", ""), (Read(Path.Combine(mount, "stdout")), Read(Path.Combine(mount, "stderr"))));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task TheSamePathForBoth_JoinsTheStreams_InTheOrderWritten(string[] shell)
    {
        var path = Path.Combine(volume, "%x.log");

        var exit = await RunAsync(shell, Request(path, path), "sh", "-c", "echo one; echo two >&2; echo three");

        Assert.Equal(0, exit);
        Assert.Equal("one\ntwo\nthree\n", Read(Path.Combine(volume, "align.log")));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task AFileThatCannotBeOpened_FailsTheJob_WithTheShellsWordAndOurs_InTheJobDirectorysStderr(string[] shell)
    {
        var missing = Path.Combine(volume, "no such dir", "%j.out");

        var exit = await RunAsync(shell, Request(missing, null), "touch", Path.Combine(volume, "ran"));

        Assert.Equal(1, exit);
        Assert.False(File.Exists(Path.Combine(volume, "ran")), "the job's program must not run");
        var stderr = Read(Path.Combine(mount, "stderr")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, stderr.Length);
        // The shell's own reason (dash: "Directory nonexistent", busybox: "nonexistent directory"), then ours.
        Assert.Contains(Path.Combine(volume, "no such dir", "42.out"), stderr[0], StringComparison.Ordinal);
        Assert.Contains("nonexistent", stderr[0], StringComparison.OrdinalIgnoreCase);
        Assert.Equal($"godocker: cannot open the --stdout file {Path.Combine(volume, "no such dir", "42.out")} (above): the job did not run", stderr[1]);
    }
}
