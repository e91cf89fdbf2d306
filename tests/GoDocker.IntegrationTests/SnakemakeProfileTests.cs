using System.Globalization;
using System.Text.RegularExpressions;
using GoDocker.Contracts;
using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>
/// The Snakemake profile the repository ships (contrib/snakemake/godocker), run by Debian's snakemake 7.21 as a user
/// runs it: each rule a job submitted by godocker-submit, polled by godocker-status, in the godocker/snakemake image
/// (Snakemake runs itself again inside the job), the workflow's folder on a granted volume at the same path.
/// Also Snakemake's --drmaa, through Debian's python3-drmaa and libdrmaa (src/GoDocker.Drmaa).
/// Needs `snakemake` (./godocker.sh test installs it) and the image (scripts/images.sh snakemake).
/// </summary>
public sealed partial class SnakemakeProfileTests : IAsyncLifetime
{
    private const string Snakemake = "/usr/bin/snakemake";
    private const int Nobody = 65534;
    private const string Image = "godocker/snakemake:7.21";
    private static readonly string Profile = Path.Combine(Paths.RepoRoot, "contrib/snakemake/godocker");
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    private readonly string root = Directory.CreateTempSubdirectory("godocker-snakemake-").FullName;
    private ServerProcess server = null!;

    private string Work => Path.Combine(root, "work");
    private string Bin => Path.Combine(root, "bin");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Snakemake), $"{Snakemake} is missing: ./godocker.sh test installs Debian's snakemake");
        try
        {
            await DockerEngine.Client.Images.InspectImageAsync(Image);
        }
        catch (Docker.DotNet.DockerImageNotFoundException)
        {
            Assert.Fail($"the image {Image} is missing: scripts/images.sh snakemake builds it");
        }
        // The user runs snakemake and their jobs run as them: here both are nobody (jobs of the no-authentication mode
        // run as nobody when the server is root), so what the jobs write, snakemake reads, and the other way round.
        Directory.CreateDirectory(Work);
        Directory.CreateDirectory(Bin);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Work, (UnixFileMode)0b111_111_111);
        File.SetUnixFileMode(Bin, (UnixFileMode)0b111_101_101);
        // The links `./godocker.sh build` makes in out/bin, to whichever CLI the tests run.
        foreach (var command in new[] { "submit", "status", "kill" })
        {
            File.CreateSymbolicLink(Path.Combine(Bin, $"godocker-{command}"), Paths.Cli);
        }
        File.CreateSymbolicLink(Path.Combine(Bin, "godocker"), Paths.Cli);
        server = await ServerProcess.StartAsync(new Dictionary<string, string>
        {
            // No container path: the volume is mounted where it is on this host, as a shared filesystem is.
            ["Volumes:0:Name"] = "work",
            ["Volumes:0:HostPath"] = Work,
            ["Volumes:0:AllowedRoot"] = root,
        });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public async Task AWorkflow_RunsToTheEnd_EachRuleAJobWithItsThreadsMemoryAndRuntime()
    {
        await WriteAsync("Snakefile", """
            localrules: all

            rule all:
                input: "total.txt"

            rule numbers:
                output: "numbers.txt"
                shell: "seq 1 10 > {output}"

            rule squares:
                input: "numbers.txt"
                output: "squares.txt"
                threads: 2
                resources: mem_mb=300, runtime=7
                shell: "while read n; do echo $((n * n)); done < {input} > {output}"

            rule total:
                input: "squares.txt"
                output: "total.txt"
                shell: "python3 -c 'import sys; print(sum(int(l) for l in open(sys.argv[1])))' {input} > {output}; id -u >> {output}"
            """);

        var run = await RunSnakemakeAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        // 385 = 1² + … + 10², computed by three jobs in turn, read back here; written by nobody, in the job.
        Assert.Equal($"385\n{Nobody}\n", await File.ReadAllTextAsync(Path.Combine(Work, "total.txt")));
        var jobs = await SubmittedAsync(run.Stdout + run.Stderr);
        Assert.Equal(["numbers", "squares", "total"], jobs.Keys.Order());
        foreach (var (rule, id) in jobs)
        {
            var job = await server.Api.GetAsync(id);
            Assert.Equal(JobState.Succeeded, job.State);
            Assert.Equal(Image, job.Image);
            Assert.StartsWith($"smk-{rule}-", job.Name, StringComparison.Ordinal);
            Assert.Contains("snakemake", job.Tags);
        }
        // Snakemake ends its job script with `exit 0 || exit 1` only when it asks a status command (the profile's
        // godocker-status); without one it has the job touch marker files and watches them instead.
        Assert.EndsWith("&& exit 0 || exit 1", (await server.Api.GetAsync(jobs["numbers"])).Script!.TrimEnd(), StringComparison.Ordinal);
        var squares = await server.Api.GetAsync(jobs["squares"]);
        Assert.Equal((2.0, 300L << 20, 7L * 60), (squares.Cpus, squares.MemoryBytes, squares.WalltimeSeconds));
        // The profile's defaults for a rule that says nothing: one thread, 1000 MiB, 60 minutes.
        var numbers = await server.Api.GetAsync(jobs["numbers"]);
        Assert.Equal((1.0, 1000L << 20, 60L * 60), (numbers.Cpus, numbers.MemoryBytes, numbers.WalltimeSeconds));
    }

    [Fact]
    public async Task AFailingRule_FailsTheWorkflow_NamingTheRuleAndItsJob()
    {
        await WriteAsync("Snakefile", """
            localrules: all

            rule all:
                input: "after.txt"

            rule first:
                output: "first.txt"
                shell: "echo fine > {output}"

            rule broken:
                input: "first.txt"
                output: "broken.txt"
                shell: "echo partial > {output}; exit 3"

            rule after:
                input: "broken.txt"
                output: "after.txt"
                shell: "cp {input} {output}"
            """);

        var run = await RunSnakemakeAsync();

        Assert.True(run.ExitCode != 0, run.ToString());
        var output = run.Stdout + run.Stderr;
        var jobs = await SubmittedAsync(output);
        Assert.Equal(["broken", "first"], jobs.Keys.Order());
        // The job is Snakemake's script, which exits 1 for any failure of the rule (`... && exit 0 || exit 1`); the
        // rule's error is what Snakemake printed in the job, where `godocker logs --stderr` finds it.
        var broken = await server.Api.GetAsync(jobs["broken"]);
        Assert.Equal((JobState.Failed, 1), (broken.State, broken.ExitCode));
        var printed = await server.Api.StderrAsync(broken.Id);
        Assert.Contains("Error in rule broken:", printed, StringComparison.Ordinal);
        Assert.Contains("echo partial > broken.txt; exit 3", printed, StringComparison.Ordinal);
        Assert.Equal(JobState.Succeeded, (await server.Api.GetAsync(jobs["first"])).State);
        // godocker-status said "failed": Snakemake names the rule and GoDocker's id for it, and goes no further.
        Assert.Matches($@"Error executing rule broken on cluster \(jobid: \d+, external: {jobs["broken"]},", output);
        Assert.False(File.Exists(Path.Combine(Work, "after.txt")), output);
        Assert.False(File.Exists(Path.Combine(Work, "broken.txt")), output);
        Assert.True(File.Exists(Path.Combine(Work, "first.txt")), output);
    }

    [Fact]
    public async Task CtrlC_KillsTheWorkflowsJobs_ThroughGodockerKill()
    {
        await WriteAsync("Snakefile", """
            rule slow:
                output: "slow.txt"
                shell: "sleep 600; touch {output}"
            """);
        var info = SnakemakeStart("work");
        using var snakemake = System.Diagnostics.Process.Start(info)!;
        var stdout = snakemake.StandardOutput.ReadToEndAsync();
        var stderr = snakemake.StandardError.ReadToEndAsync();
        try
        {
            JobView? running = null;
            await Until.TrueAsync(async () => (running = (await server.Api.ListAsync()).Items.FirstOrDefault(j => j.State == JobState.Running)) is not null,
                Patience, "the rule's job to run");

            // Ctrl-C: Snakemake hands every job it submitted to --cluster-cancel, godocker-kill run without a shell.
            using (var interrupt = System.Diagnostics.Process.Start("kill", ["-INT", $"{snakemake.Id}"]))
            {
                await interrupt.WaitForExitAsync();
            }
            using (var deadline = new CancellationTokenSource(Patience))
            {
                await snakemake.WaitForExitAsync(deadline.Token);
            }

            var killed = await server.Api.WaitEndAsync(running!.Id, Patience);
            Assert.True(killed.State == JobState.Killed, $"{killed.State} {killed.Reason}\n{await stdout}{await stderr}");
            Assert.NotEqual(0, snakemake.ExitCode);
        }
        finally
        {
            if (!snakemake.HasExited)
            {
                snakemake.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task TheClusterForm_WithoutTheProfile_SubmitsWithGodockerSubmitAndPollsGodockerStatus()
    {
        // README "Workflow managers → Snakemake", the --cluster form, as written there: Snakemake runs the submit and
        // status commands through a shell, so `godocker submit` and `godocker status` (two words) work there.
        await WriteAsync("Snakefile", """
            localrules: all

            rule all:
                input: "b.txt"

            rule a:
                output: "a.txt"
                threads: 2
                shell: "nproc > {output}"

            rule b:
                input: "a.txt"
                output: "b.txt"
                resources: mem_mb=200
                shell: "cat {input} {input} > {output}"
            """);

        var run = await RunSnakemakeAsync(options:
        [
            "-j", "20", "--default-resources", "mem_mb=1000", "runtime=60",
            "--cluster", $"godocker submit --parsable --volume work --image {Image} " +
                "--cpus {threads} --mem {resources.mem_mb} --time {resources.runtime} --name smk-{rule}-{jobid}",
            "--cluster-status", "godocker status", "--cluster-cancel", "godocker-kill",
        ]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(Path.Combine(Work, "b.txt")), run.ToString());
        var jobs = await SubmittedAsync(run.Stdout + run.Stderr);
        Assert.Equal(["a", "b"], jobs.Keys.Order());
        var a = await server.Api.GetAsync(jobs["a"]);
        var b = await server.Api.GetAsync(jobs["b"]);
        Assert.Equal((JobState.Succeeded, 2.0, 1000L << 20, 60L * 60), (a.State, a.Cpus, a.MemoryBytes, a.WalltimeSeconds));
        Assert.Equal((JobState.Succeeded, 1.0, 200L << 20), (b.State, b.Cpus, b.MemoryBytes));
        // Polled by the status command: only then does Snakemake end its job script with `exit 0 || exit 1`.
        Assert.EndsWith("&& exit 0 || exit 1", a.Script!.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithDrmaa_AWorkflowRunsToTheEnd_EachRuleAJobOfLibdrmaa()
    {
        // README "Workflow managers → Snakemake", the --drmaa form: Snakemake's own DRMAA executor, through Debian's
        // python3-drmaa, over libdrmaa; the native specification is `godocker submit`'s options.
        await WriteAsync("Snakefile", """
            localrules: all

            rule all:
                input: "b.txt"

            rule a:
                output: "a.txt"
                shell: "echo from-a > {output}"

            rule b:
                input: "a.txt"
                output: "b.txt"
                shell: "cat {input} {input} > {output}; id -u >> {output}"
            """);

        var run = await RunSnakemakeAsync(options: DrmaaOptions, environment: await DrmaaEnvironmentAsync());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal($"from-a\nfrom-a\n{Nobody}\n", await File.ReadAllTextAsync(Path.Combine(Work, "b.txt")));
        var jobs = DrmaaSubmitted(run.Stdout + run.Stderr);
        Assert.Equal(2, jobs.Count);
        foreach (var id in jobs)
        {
            var job = await server.Api.GetAsync(id);
            Assert.Equal((JobState.Succeeded, Image, 2.0), (job.State, job.Image, job.Cpus));
            // Snakemake names each DRMAA job after its job script: snakejob.RULE.N.sh.
            Assert.Matches(@"^snakejob\.[ab]\.\d+\.sh$", job.Name);
        }
    }

    [Fact]
    public async Task WithDrmaa_AFailingRule_IsReportedFailed_AndTheWorkflowStops()
    {
        await WriteAsync("Snakefile", """
            localrules: all

            rule all:
                input: "after.txt"

            rule broken:
                output: "broken.txt"
                shell: "echo partial > {output}; exit 3"

            rule after:
                input: "broken.txt"
                output: "after.txt"
                shell: "cp {input} {output}"
            """);

        var run = await RunSnakemakeAsync(options: DrmaaOptions, environment: await DrmaaEnvironmentAsync());

        var output = run.Stdout + run.Stderr;
        Assert.True(run.ExitCode != 0, run.ToString());
        var broken = await server.Api.GetAsync(Assert.Single(DrmaaSubmitted(output)));
        Assert.Equal((JobState.Failed, 1), (broken.State, broken.ExitCode));
        // drmaa_job_ps said FAILED: Snakemake names the rule and the DRMAA job id, and goes no further.
        Assert.Matches($@"Error executing rule broken on cluster \(jobid: \d+, external: {broken.Id},", output);
        Assert.False(File.Exists(Path.Combine(Work, "after.txt")), output);
        Assert.False(File.Exists(Path.Combine(Work, "broken.txt")), output);
    }

    /// <summary>The native specification starts with a space: Snakemake's argument parser takes a leading "--" for its own option.</summary>
    private static readonly string[] DrmaaOptions = ["-j", "10", "--drmaa", $" --image {Image} --volume work --cpus 2"];

    private static async Task<Dictionary<string, string>> DrmaaEnvironmentAsync() =>
        new() { ["DRMAA_LIBRARY_PATH"] = await Drmaa.DrmaaSite.LibraryAsync() };

    /// <summary>The ids of Snakemake's "Submitted DRMAA job N with external jobid ID." lines: what drmaa_run_job returned.</summary>
    private static List<long> DrmaaSubmitted(string output) =>
        [.. DrmaaSubmittedLine().Matches(output).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    [Fact]
    public async Task WithoutAVolume_NothingIsSubmitted_AndTheProfileSaysWhatToSet()
    {
        await WriteAsync("Snakefile", """
            rule one:
                output: "one.txt"
                shell: "echo one > {output}"
            """);

        var run = await RunSnakemakeAsync(volumes: null);

        Assert.True(run.ExitCode != 0, run.ToString());
        Assert.Contains("GODOCKER_VOLUMES", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await server.Api.ListAsync()).Total);
    }

    private async Task WriteAsync(string name, string text)
    {
        var path = Path.Combine(Work, name);
        await File.WriteAllTextAsync(path, text + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
    }

    /// <summary>snakemake --profile contrib/snakemake/godocker (or the options given) in the work folder, as nobody, to its end.</summary>
    private async Task<BoundedProcess.Result> RunSnakemakeAsync(string? volumes = "work", IReadOnlyList<string>? options = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = SnakemakeStart(volumes, options);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var variables = info.Environment.Where(e => e.Value is not null).ToDictionary(e => e.Key, e => e.Value!);
        var result = await BoundedProcess.RunAsync(info.FileName, info.ArgumentList, variables, Patience);
        Assert.False(result.TimedOut, result.ToString());
        return result;
    }

    private System.Diagnostics.ProcessStartInfo SnakemakeStart(string? volumes, IReadOnlyList<string>? options = null)
    {
        // setpriv execs snakemake: the process started is snakemake's, as nobody.
        var info = new System.Diagnostics.ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Work,
        };
        foreach (var arg in new[] { "--reuid", $"{Nobody}", "--regid", $"{Nobody}", "--clear-groups", "--", Snakemake }
            .Concat(options ?? ["--profile", Profile])
            .Concat(["--directory", Work, "--snakefile", Path.Combine(Work, "Snakefile"), "--nocolor"]))
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["PATH"] = $"{Bin}:/usr/sbin:/usr/bin:/sbin:/bin";
        info.Environment["GODOCKER_URL"] = server.BaseUrl.ToString().TrimEnd('/');
        // Snakemake keeps a cache and the CLI looks for a token under the home; nobody's is /nonexistent.
        info.Environment["HOME"] = Work;
        info.Environment.Remove("GODOCKER_VOLUMES");
        if (volumes is not null)
        {
            info.Environment["GODOCKER_VOLUMES"] = volumes;
        }
        return info;
    }

    /// <summary>
    /// The GoDocker job of each rule, from Snakemake's "Submitted job N with external jobid 'ID'." and the job's
    /// name (smk-RULE-N, the profile's): the id godocker-submit --parsable printed is the one Snakemake kept.
    /// </summary>
    private async Task<Dictionary<string, long>> SubmittedAsync(string output)
    {
        var jobs = new Dictionary<string, long>();
        foreach (Match match in SubmittedLine().Matches(output))
        {
            var id = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            var job = await server.Api.GetAsync(id);
            Assert.EndsWith($"-{match.Groups[1].Value}", job.Name, StringComparison.Ordinal);
            jobs.Add(job.Name.Split('-')[1], id);
        }
        return jobs;
    }

    [GeneratedRegex(@"Submitted job (\d+) with external jobid '(\d+)'\.")]
    private static partial Regex SubmittedLine();

    [GeneratedRegex(@"Submitted DRMAA job \d+ with external jobid (\d+)\.")]
    private static partial Regex DrmaaSubmittedLine();
}
