using System.Diagnostics;
using System.Globalization;
using GoDocker.Tes;

namespace GoDocker.Core.Tests.Tes;

/// <summary>
/// The runner is run for real, under every shell the machine has of those images bring (dash as /bin/sh, busybox sh,
/// whose standalone build also brings its own cp, ln, mkdir, wc and date), in a temporary directory standing for the
/// container: the plans name temporary paths directly, and every path has a space in it.
/// </summary>
public sealed class RunnerScriptTests : IDisposable
{
    private readonly string root;
    private readonly string jobDir;

    public RunnerScriptTests()
    {
        root = Path.Combine(Directory.CreateTempSubdirectory("godocker-runner-test-").FullName, "the root");
        jobDir = Path.Combine(root, "job dir");
        Directory.CreateDirectory(jobDir);
        Directory.CreateDirectory(Path.Combine(root, "cwd"));
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(root)!, recursive: true);

    public static TheoryData<string> Shells()
    {
        var shells = new TheoryData<string> { "/bin/sh" };
        if (File.Exists("/usr/bin/busybox") || File.Exists("/bin/busybox"))
        {
            shells.Add("busybox");
        }
        return shells;
    }

    private string P(string relative) => Path.Combine(root, relative);

    private string Log => Path.Combine(jobDir, "tes", "log");

    private static RunnerStep Step(int index, params string[] command) => new(index, command, null, [], null, null, null, false);

    private static RunnerPlan Plan(IReadOnlyList<StageIn>? inputs = null, IReadOnlyList<RunnerStep>? steps = null, IReadOnlyList<StageOut>? outputs = null) =>
        new(inputs ?? [], steps ?? [], outputs ?? []);

    private sealed record Run(int ExitCode, string Stdout, string Stderr, TaskRunLog Log);

    private async Task<Run> RunAsync(string shell, RunnerPlan plan, string? home = null)
    {
        var script = Path.Combine(jobDir, "job.sh");
        await File.WriteAllTextAsync(script, RunnerScript.Generate(plan));
        using var process = Start(shell, script, home);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await stdout, await stderr, TaskRunLog.Parse(await File.ReadAllTextAsync(Log)));
    }

    private Process Start(string shell, string script, string? home)
    {
        var start = new ProcessStartInfo(shell)
        {
            WorkingDirectory = P("cwd"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (shell == "busybox")
        {
            start.ArgumentList.Add("sh");
        }
        start.ArgumentList.Add(script);
        start.Environment["GODOCKER_JOB_DIR"] = jobDir;
        start.Environment["HOME"] = home ?? P("home");
        Directory.CreateDirectory(P("home"));
        return Process.Start(start)!;
    }

    private static string Text(string path) => File.ReadAllText(path);

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task ContentInputs_AreWrittenAsTheyAre_NothingInThemRuns(string shell)
    {
        string[] contents =
        [
            "it's a 'quoted' \"text\"",
            "$HOME ${HOME} $(touch pwned) `touch pwned2` $((1+1))",
            "two\nlines\n\nand a trailing newline\n",
            "  leading and trailing spaces  ",
            "backslashes \\n \\t \\\\ and %s %d %% in printf's way",
            "-n",
            "",
            "\u00e9t\u00e9 \u2603 \t tab",
        ];
        var inputs = contents.Select((c, i) => new StageIn(i, P($"in put/{i} it's $x.txt"), TesFileKind.File, c, null, false)).ToList();

        var run = await RunAsync(shell, Plan(inputs));

        Assert.True(run.ExitCode == 0, run.Stderr);
        for (var i = 0; i < contents.Length; i++)
        {
            Assert.Equal(contents[i], Text(P($"in put/{i} it's $x.txt")));
        }
        Assert.Empty(Directory.GetFiles(root, "pwned*", SearchOption.AllDirectories));
        Assert.Empty(run.Log.SystemErrors);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task FileAndDirectoryInputs_AreCopied_StreamableOnesLinked(string shell)
    {
        Directory.CreateDirectory(P("volume/dir/sub dir"));
        File.WriteAllText(P("volume/a file"), "A");
        File.WriteAllText(P("volume/dir/top"), "T");
        File.WriteAllText(P("volume/dir/.hidden"), "H");
        File.WriteAllText(P("volume/dir/sub dir/deep"), "D");
        Directory.CreateDirectory(P("scratch/mounted"));
        File.WriteAllText(P("volume/in place"), "I");
        var inputs = new List<StageIn>
        {
            new(0, P("scratch/x/copy"), TesFileKind.File, null, P("volume/a file"), false),
            new(1, P("scratch/d copy"), TesFileKind.Directory, null, P("volume/dir"), false),
            new(2, P("scratch/y/link"), TesFileKind.File, null, P("volume/a file"), true),
            new(3, P("scratch/d link"), TesFileKind.Directory, null, P("volume/dir"), true),
            // A streamed directory whose path is already a directory (a scratch mount point) cannot be a link.
            new(4, P("scratch/mounted"), TesFileKind.Directory, null, P("volume/dir"), true),
            new(5, P("volume/in place"), TesFileKind.File, null, P("volume/in place"), false),
        };

        var run = await RunAsync(shell, Plan(inputs));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("A", Text(P("scratch/x/copy")));
        Assert.Null(new FileInfo(P("scratch/x/copy")).LinkTarget);
        foreach (var dir in new[] { "scratch/d copy", "scratch/mounted" })
        {
            Assert.Equal("T", Text(P($"{dir}/top")));
            Assert.Equal("H", Text(P($"{dir}/.hidden")));
            Assert.Equal("D", Text(P($"{dir}/sub dir/deep")));
            Assert.Null(new DirectoryInfo(P(dir)).LinkTarget);
        }
        Assert.Equal(P("volume/a file"), new FileInfo(P("scratch/y/link")).LinkTarget);
        Assert.Equal(P("volume/dir"), new DirectoryInfo(P("scratch/d link")).LinkTarget);
        Assert.Equal("I", Text(P("volume/in place")));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task ARunAgain_ReplacesItsLinks_AndStartsAFreshLog(string shell)
    {
        Directory.CreateDirectory(P("volume/dir"));
        File.WriteAllText(P("volume/file"), "F");
        var plan = Plan(
            [new(0, P("scratch/file"), TesFileKind.File, null, P("volume/file"), true), new(1, P("scratch/dir"), TesFileKind.Directory, null, P("volume/dir"), true)],
            [Step(0, "true")]);

        await RunAsync(shell, plan);
        var again = await RunAsync(shell, plan);

        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(P("volume/dir"), new DirectoryInfo(P("scratch/dir")).LinkTarget);
        Assert.Empty(Directory.GetFileSystemEntries(P("volume/dir")));
        Assert.Single(again.Log.Steps);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task AnInputThatCannotBeStaged_IsASystemError_AndNoExecutorRuns(string shell)
    {
        var plan = Plan(
            [new(0, P("scratch/missing"), TesFileKind.File, null, P("volume/not there"), false)],
            [Step(0, "touch", P("ran"))],
            [new(0, P("cwd"), TesFileKind.Directory, P("out"), "file:///out", null)]);

        var run = await RunAsync(shell, plan);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal([$"input 0: cannot copy {P("volume/not there")} to {P("scratch/missing")}"], run.Log.SystemErrors);
        Assert.Empty(run.Log.Steps);
        Assert.False(File.Exists(P("ran")));
        Assert.False(Directory.Exists(P("out")));
        Assert.Contains("input 0: cannot copy", run.Stderr);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task Executors_RunInOrder_WithTheirWorkdirEnvAndRedirections(string shell)
    {
        File.WriteAllText(P("stdin file"), "from stdin\n");
        const string odd = "it's $HOME `touch pwned` $(touch pwned) \"q\" \\ ; & | * \u00e9";
        var steps = new List<RunnerStep>
        {
            new(0, ["sh", "-c", "pwd; printf '%s\\n' \"$ODD\" \"$2\"; cat; echo to stderr >&2; echo 0 >>\"$1\"", "sh", P("order"), "an 'arg' with $x"],
                P("work dir/not yet there"), [new("ODD", odd), new("_X1", "")], P("stdin file"), P("outs/e0 out"), P("outs/e0 err"), false),
            new(1, ["sh", "-c", "echo out; echo err >&2; read x || echo no stdin; echo 1 >>\"$1\"", "sh", P("order")], null, [], null, null, null, false),
        };

        var run = await RunAsync(shell, Plan(steps: steps));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal($"{P("work dir/not yet there")}\n{odd}\nan 'arg' with $x\nfrom stdin\n", Text(P("outs/e0 out")));
        Assert.Equal("to stderr\n", Text(P("outs/e0 err")));
        Assert.Equal("out\nno stdin\n", Text(Path.Combine(jobDir, "tes/1.stdout")));
        Assert.Equal("err\n", Text(Path.Combine(jobDir, "tes/1.stderr")));
        Assert.False(File.Exists(Path.Combine(jobDir, "tes/0.stdout")));
        Assert.Equal("0\n1\n", Text(P("order")));
        Assert.Empty(Directory.GetFiles(root, "pwned*", SearchOption.AllDirectories));
        Assert.Equal([0, 1], run.Log.Steps.Select(s => s.Index));
        Assert.All(run.Log.Steps, s => Assert.Equal(0, s.ExitCode));
        Assert.All(run.Log.Steps, s => Assert.NotNull(s.Start));
        Assert.All(run.Log.Steps, s => Assert.True(s.End >= s.Start));
        Assert.Equal("", run.Stdout);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task AFailure_StopsTheExecutorsAfterIt_UnlessIgnored_AndIsTheRunnersExitCode(string shell)
    {
        File.WriteAllText(P("rc file"), "");
        var steps = new List<RunnerStep>
        {
            Step(0, "sh", "-c", "exit 3") with { IgnoreError = true },
            Step(1, "sh", "-c", "echo partial >\"$1\"; exit 5", "sh", P("partial")),
            Step(2, "touch", P("ran")),
        };
        var outputs = new List<StageOut>
        {
            // Staged out after the failure (a workflow manager reads its own logs among them)...
            new(0, P("partial"), TesFileKind.File, P("volume/partial"), "file:///volume/partial", null),
            // ...and one the failed executor never made is only said, not a system error.
            new(1, P("never made"), TesFileKind.File, P("volume/never made"), "file:///volume/never%20made", null),
        };

        var run = await RunAsync(shell, Plan(steps: steps, outputs: outputs));

        Assert.Equal(5, run.ExitCode);
        Assert.Equal([(0, (int?)3), (1, 5)], run.Log.Steps.Select(s => (s.Index, s.ExitCode)));
        Assert.False(File.Exists(P("ran")));
        Assert.Equal("partial\n", Text(P("volume/partial")));
        Assert.Equal([new TaskRunOutput("file:///volume/partial", P("partial"), 8)], run.Log.Outputs);
        Assert.Empty(run.Log.SystemErrors);
        Assert.Contains($"output 1: {P("never made")} does not exist", run.Stderr);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task IgnoredFailures_LeaveTheTaskSucceeded(string shell)
    {
        var run = await RunAsync(shell, Plan(steps: [Step(0, "false") with { IgnoreError = true }, Step(1, "true")]));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([(int?)1, 0], run.Log.Steps.Select(s => s.ExitCode));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task AProgramNotFound_EndsWith127(string shell)
    {
        var run = await RunAsync(shell, Plan(steps: [Step(0, "no-such-program-here", "x")]));

        Assert.Equal(127, run.ExitCode);
        Assert.Equal(127, Assert.Single(run.Log.Steps).ExitCode);
        Assert.NotEqual("", Text(Path.Combine(jobDir, "tes/0.stderr")));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task Outputs_AreCopiedAndReportedPerFile(string shell)
    {
        Directory.CreateDirectory(P("out/results/nested dir"));
        Directory.CreateDirectory(P("out/results/empty"));
        File.WriteAllText(P("out/a file.txt"), "12345");
        File.WriteAllText(P("out/b.txt"), "");
        File.WriteAllText(P("out/c.log"), "not matched");
        File.WriteAllText(P("out/results/r1"), "r");
        File.WriteAllText(P("out/results/.dot"), "..");
        File.WriteAllText(P("out/results/nested dir/r2"), "rrr");
        Directory.CreateDirectory(P("out/m1"));
        File.WriteAllText(P("out/m1/x.txt"), "xx");
        var outputs = new List<StageOut>
        {
            new(0, P("out/a file.txt"), TesFileKind.File, P("vol/files/a.txt"), "file:///vol/files/a.txt", null),
            new(1, P("out/results"), TesFileKind.Directory, P("vol/results"), "file:///vol/results", null),
            new(2, P("out/*.txt"), TesFileKind.File, P("vol/glob/"), "file:///vol/glob/", P("out/")),
            new(3, P("out/m*/*.txt"), TesFileKind.File, P("vol/deep/"), "file:///vol/deep/", P("out/")),
            new(4, P("out/nothing*"), TesFileKind.File, P("vol/none/"), "file:///vol/none/", P("out/")),
        };

        var run = await RunAsync(shell, Plan(steps: [Step(0, "true")], outputs: outputs));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Empty(run.Log.SystemErrors);
        Assert.Equal("12345", Text(P("vol/files/a.txt")));
        Assert.Equal("rrr", Text(P("vol/results/nested dir/r2")));
        Assert.True(Directory.Exists(P("vol/results/empty")));
        Assert.Equal("12345", Text(P("vol/glob/a file.txt")));
        Assert.Equal("xx", Text(P("vol/deep/m1/x.txt")));
        Assert.False(File.Exists(P("vol/glob/c.log")));
        Assert.False(Directory.Exists(P("vol/none")));
        Assert.Equal(
            new[]
            {
                new TaskRunOutput("file:///vol/files/a.txt", P("out/a file.txt"), 5),
                new TaskRunOutput("file:///vol/results/.dot", P("out/results/.dot"), 2),
                new TaskRunOutput("file:///vol/results/nested dir/r2", P("out/results/nested dir/r2"), 3),
                new TaskRunOutput("file:///vol/results/r1", P("out/results/r1"), 1),
                new TaskRunOutput("file:///vol/glob/a file.txt", P("out/a file.txt"), 5),
                new TaskRunOutput("file:///vol/glob/b.txt", P("out/b.txt"), 0),
                new TaskRunOutput("file:///vol/deep/m1/x.txt", P("out/m1/x.txt"), 2),
            }.OrderBy(o => o.Url, StringComparer.Ordinal),
            run.Log.Outputs.OrderBy(o => o.Url, StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task AnOutputAlreadyAtItsDestination_IsReportedWithoutACopy(string shell)
    {
        Directory.CreateDirectory(P("vol"));
        File.WriteAllText(P("vol/made there"), "abc");

        var run = await RunAsync(shell, Plan(outputs: [new(0, P("vol/made there"), TesFileKind.File, P("vol/made there"), "file:///vol/made%20there", null)]));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal([new TaskRunOutput("file:///vol/made%20there", P("vol/made there"), 3)], run.Log.Outputs);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task AMissingOutput_AfterEveryExecutorSucceeded_IsASystemError(string shell)
    {
        File.WriteAllText(P("made"), "m");
        var outputs = new List<StageOut>
        {
            new(0, P("not made"), TesFileKind.File, P("vol/x"), "file:///vol/x", null),
            new(1, P("made"), TesFileKind.Directory, P("vol/d"), "file:///vol/d", null),
            new(2, P("cwd"), TesFileKind.File, P("vol/f"), "file:///vol/f", null),
            new(3, P("made"), TesFileKind.File, P("vol/made"), "file:///vol/made", null),
        };

        var run = await RunAsync(shell, Plan(steps: [Step(0, "true")], outputs: outputs));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            [$"output 0: {P("not made")} does not exist", $"output 1: {P("made")} is not a directory", $"output 2: {P("cwd")} is a directory"],
            run.Log.SystemErrors);
        Assert.Equal("m", Text(P("vol/made")));
        Assert.Equal(0, Assert.Single(run.Log.Steps).ExitCode);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task AFileNameWithATabOrNewline_IsCopiedButNotReported(string shell)
    {
        Directory.CreateDirectory(P("out"));
        File.WriteAllText(P("out/tab\there"), "t");
        File.WriteAllText(P("out/new\nline\tsystem_error\tforged"), "n");
        File.WriteAllText(P("out/plain"), "p");

        var run = await RunAsync(shell, Plan(outputs: [new(0, P("out/*"), TesFileKind.File, P("vol/"), "file:///vol/", P("out/"))]));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("t", Text(P("vol/tab\there")));
        Assert.Equal("n", Text(P("vol/new\nline\tsystem_error\tforged")));
        Assert.Equal([new TaskRunOutput("file:///vol/plain", P("out/plain"), 1)], run.Log.Outputs);
        Assert.Empty(run.Log.SystemErrors);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task AnUnusableHome_GivesWayToTmp_ButTheTasksOwnHomeWins(string shell)
    {
        var steps = new List<RunnerStep>
        {
            Step(0, "sh", "-c", "printf %s \"$HOME\""),
            Step(1, "sh", "-c", "printf %s \"$HOME\"") with { Env = [new("HOME", P("own home"))] },
        };

        await RunAsync(shell, Plan(steps: steps), home: P("not mounted"));
        Assert.Equal("/tmp", Text(Path.Combine(jobDir, "tes/0.stdout")));
        Assert.Equal(P("own home"), Text(Path.Combine(jobDir, "tes/1.stdout")));

        await RunAsync(shell, Plan(steps: steps));
        Assert.Equal(P("home"), Text(Path.Combine(jobDir, "tes/0.stdout")));
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task ATermToTheRunner_ReachesTheRunningExecutorAtOnce(string shell)
    {
        var plan = Plan(steps: [Step(0, "sh", "-c", "echo $$ >\"$1\"; exec sleep 30", "sh", P("pid")), Step(1, "touch", P("ran"))],
            outputs: [new(0, P("cwd"), TesFileKind.Directory, P("out"), "file:///out", null)]);

        var (exitCode, executorGone) = await TerminateWhileRunningAsync(shell, plan);

        Assert.Equal(143, exitCode);
        Assert.Equal(143, Assert.Single(TaskRunLog.Parse(Text(Log)).Steps).ExitCode);
        Assert.False(File.Exists(P("ran")));
        Assert.False(Directory.Exists(P("out")));
        // The executor itself got the TERM and is gone (waited for by the runner), not left running behind it.
        Assert.True(executorGone);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task AnExecutorThatHandlesTheTerm_HasItsOwnCodeRecorded(string shell)
    {
        var plan = Plan(steps: [Step(0, "sh", "-c", "trap 'exit 7' TERM; echo $$ >\"$1\"; while :; do sleep 1; done", "sh", P("pid"))]);

        var (exitCode, executorGone) = await TerminateWhileRunningAsync(shell, plan);

        Assert.Equal(7, exitCode);
        Assert.Equal(7, Assert.Single(TaskRunLog.Parse(Text(Log)).Steps).ExitCode);
        Assert.True(executorGone);
    }

    /// <summary>
    /// Runs <paramref name="plan"/>, whose executor 0 writes its pid to the file "pid", sends TERM to the runner once it
    /// has, and waits for the runner's end: within 20 s, well under any executor's own 30 s, so a runner waiting for its
    /// executor to end by itself fails the test. Whatever is left (the runner, the executor) is killed by pid.
    /// </summary>
    private async Task<(int ExitCode, bool ExecutorGone)> TerminateWhileRunningAsync(string shell, RunnerPlan plan)
    {
        var script = Path.Combine(jobDir, "job.sh");
        await File.WriteAllTextAsync(script, RunnerScript.Generate(plan));
        using var process = Start(shell, script, null);
        string? executor = null;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            while (!File.Exists(P("pid")) || !Text(P("pid")).EndsWith('\n'))
            {
                await Task.Delay(20, timeout.Token);
            }
            executor = Text(P("pid")).Trim();

            await SignalAsync("TERM", process.Id.ToString(CultureInfo.InvariantCulture), timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            await stderr;
            return (process.ExitCode, !Directory.Exists($"/proc/{executor}"));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
            if (executor is not null && Directory.Exists($"/proc/{executor}"))
            {
                await SignalAsync("KILL", executor, CancellationToken.None);
            }
        }
    }

    private static async Task SignalAsync(string signal, string pid, CancellationToken cancellationToken)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid]);
        await kill.WaitForExitAsync(cancellationToken);
    }

    [Fact]
    public void TheScript_QuotesEveryValue_AndExecsTheArgvAsIs()
    {
        var script = RunnerScript.Generate(Plan(
            [new(0, "/in/it's", TesFileKind.File, "a'b", null, false)],
            [new(2, ["echo", "a b", "$(x)"], "/w", [new("A", "it's")], null, null, null, true)],
            [new(0, "/o/*.txt", TesFileKind.File, "/v/", "file:///v/", "/o/")]));

        Assert.StartsWith("#!/bin/sh\n", script, StringComparison.Ordinal);
        var lines = script.Split('\n');
        Assert.Contains(@"mkdir -p -- '/in/' && printf '%s' 'a'\''b' >'/in/it'\''s' || fail 'input 0: cannot write /in/it'\''s'", lines);
        Assert.Contains("  printf 'exec\\t2\\tstart\\t%s\\n' \"$(now)\" >>\"$L\"", lines);
        Assert.Contains(@"  (cd '/w' && export A='it'\''s' && exec 'echo' 'a b' '$(x)') </dev/null >""$T/2.stdout"" 2>""$T/2.stderr"" &", lines);
        Assert.Contains("  run 2 1", lines);
        Assert.Contains("p='/o/*.txt' x='/o/'", lines);
        Assert.DoesNotContain("eval", script, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", script, StringComparison.Ordinal);
    }

    public static TheoryData<RunnerPlan> BrokenPlans() => new()
    {
        Plan([new(0, "relative", TesFileKind.File, "x", null, false)]),
        Plan([new(0, "/tab\there", TesFileKind.File, "x", null, false)]),
        Plan([new(0, "/new\nline", TesFileKind.File, "x", null, false)]),
        Plan([new(0, "/nul", TesFileKind.File, "a\0b", null, false)]),
        Plan([new(0, "/both", TesFileKind.File, "x", "/src", false)]),
        Plan([new(0, "/neither", TesFileKind.File, null, null, false)]),
        Plan(steps: [Step(0)]),
        Plan(steps: [Step(0, "-x")]),
        Plan(steps: [Step(0, "echo", "a\0")]),
        Plan(steps: [Step(0, "true") with { Env = [new("A-B", "x")] }]),
        Plan(steps: [Step(0, "true") with { Env = [new("1A", "x")] }]),
        Plan(steps: [Step(0, "true") with { Workdir = "w" }]),
        Plan(steps: [Step(0, "true") with { Stdout = "/a\rb" }]),
        Plan(outputs: [new(0, "/o/*", TesFileKind.File, "/v/", "file:///v/\t", "/o/")]),
        Plan(outputs: [new(0, "/o/*", TesFileKind.File, "/v/", "file:///v/", "/elsewhere/")]),
    };

    [Theory]
    [MemberData(nameof(BrokenPlans))]
    public void APlanTheReaderWouldNeverMake_IsRefused(RunnerPlan plan) =>
        Assert.Throws<ArgumentException>(() => RunnerScript.Generate(plan));
}
