using GoDocker.Jobs;

namespace GoDocker.Core.Tests.Jobs;

public sealed class JobSpecValidatorTests
{
    private const long MiB = 1L << 20;
    private const long GiB = 1L << 30;
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// <summary>A site whose defaults differ from the record's own, so a test sees where a value came from.</summary>
    private static readonly SubmitLimits Site = new()
    {
        DefaultImage = "godocker/busybox",
        DefaultCpus = 0.5,
        DefaultMemoryBytes = 256 * MiB,
        MaxCpus = 16,
        MaxMemoryBytes = 64 * GiB,
        DefaultWalltime = TimeSpan.FromHours(4),
        MaxWalltime = TimeSpan.FromDays(7),
        MaxScriptBytes = 1024,
    };

    /// <summary>The smallest valid spec; each case changes one thing.</summary>
    private static readonly JobSpec ACommand = new() { Command = ["/usr/bin/python3", "run.py"] };
    private static readonly JobSpec AScript = new() { Script = "#!/bin/sh\necho hi\n" };

    private static readonly Dictionary<string, (JobSpec Spec, string Field)> Invalid = new()
    {
        ["script and command both given"] = (AScript with { Command = ["echo"] }, "script"),
        ["neither script nor command"] = (new JobSpec(), "script"),
        ["script empty"] = (new JobSpec { Script = "" }, "script"),
        ["script whitespace only"] = (new JobSpec { Script = " \n\t " }, "script"),
        ["script above MaxScriptBytes"] = (new JobSpec { Script = "echo " + new string('x', 1020) }, "script"),
        ["script with a NUL"] = (new JobSpec { Script = "echo a\0b" }, "script"),
        ["command empty"] = (new JobSpec { Command = [] }, "command"),
        ["command program empty"] = (new JobSpec { Command = ["", "x"] }, "command"),
        ["command program blank"] = (new JobSpec { Command = ["  "] }, "command"),
        ["command argument with NUL"] = (new JobSpec { Command = ["echo", "a\0b"] }, "command"),
        ["image uppercase name"] = (ACommand with { Image = "UPPER" }, "image"),
        ["image uppercase path"] = (ACommand with { Image = "team/UPPER" }, "image"),
        ["image with space and !"] = (ACommand with { Image = "bad image!" }, "image"),
        ["image with two tags"] = (ACommand with { Image = "a:b:c" }, "image"),
        ["image empty tag"] = (ACommand with { Image = "debian:" }, "image"),
        ["image short digest"] = (ACommand with { Image = "debian@sha256:abc" }, "image"),
        ["image empty"] = (ACommand with { Image = "" }, "image"),
        ["cpus 0"] = (ACommand with { Cpus = 0 }, "cpus"),
        ["cpus -1"] = (ACommand with { Cpus = -1 }, "cpus"),
        ["cpus NaN"] = (ACommand with { Cpus = double.NaN }, "cpus"),
        ["cpus infinite"] = (ACommand with { Cpus = double.PositiveInfinity }, "cpus"),
        ["cpus above the largest node"] = (ACommand with { Cpus = 16.5 }, "cpus"),
        ["cpus below 0.01"] = (ACommand with { Cpus = 0.001 }, "cpus"),
        ["memory 0"] = (ACommand with { Memory = "0" }, "memory"),
        ["memory not a size"] = (ACommand with { Memory = "abc" }, "memory"),
        ["memory negative"] = (ACommand with { Memory = "-5M" }, "memory"),
        ["memory empty"] = (ACommand with { Memory = "" }, "memory"),
        ["memory above the largest node"] = (ACommand with { Memory = "65G" }, "memory"),
        ["memory below 6 MiB"] = (ACommand with { Memory = "5M" }, "memory"),
        ["walltime not a duration"] = (ACommand with { Walltime = "soon" }, "walltime"),
        ["walltime zero"] = (ACommand with { Walltime = "0" }, "walltime"),
        ["walltime too large to represent"] = (ACommand with { Walltime = "1000000000000s" }, "walltime"),
        ["walltime above the site maximum"] = (ACommand with { Walltime = "7-00:00:01" }, "walltime"),
        ["env name starting with a digit"] = (ACommand with { Env = Env(("1X", "v")) }, "env.1X"),
        ["env name with a dash"] = (ACommand with { Env = Env(("A-B", "v")) }, "env.A-B"),
        ["env name reserved"] = (ACommand with { Env = Env(("GODOCKER_X", "v")) }, "env.GODOCKER_X"),
        ["env value with NUL"] = (ACommand with { Env = Env(("A", "x\0y")) }, "env.A"),
        ["workdir relative"] = (ACommand with { Workdir = "relative/dir" }, "workdir"),
        ["workdir empty"] = (ACommand with { Workdir = "" }, "workdir"),
        ["tag with a space"] = (ACommand with { Tags = ["ok", "has space"] }, "tags"),
        ["tag starting with a dot"] = (ACommand with { Tags = [".hidden"] }, "tags"),
        ["tag empty"] = (ACommand with { Tags = [""] }, "tags"),
        ["tag longer than 128"] = (ACommand with { Tags = [new string('t', 129)] }, "tags"),
        ["project with a space"] = (ACommand with { Project = "my project" }, "project"),
        ["project starting with a dash"] = (ACommand with { Project = "-x" }, "project"),
        ["project empty"] = (ACommand with { Project = "" }, "project"),
        ["label key starting with godocker"] = (ACommand with { Labels = Env(("godocker.role", "x")) }, "labels.godocker.role"),
        ["label key starting with GoDocker"] = (ACommand with { Labels = Env(("GoDocker-x", "x")) }, "labels.GoDocker-x"),
        ["label key invalid"] = (ACommand with { Labels = Env(("a b", "x")) }, "labels.a b"),
        ["label value too long"] = (ACommand with { Labels = Env(("team", new string('v', 1025))) }, "labels.team"),
        ["name empty"] = (ACommand with { Name = "" }, "name"),
        ["name with a control character"] = (ACommand with { Name = "a\nb" }, "name"),
        ["name longer than 200"] = (ACommand with { Name = new string('n', 201) }, "name"),
        // .NET's $ also matches before a final newline, and \w takes any script's letters: each pattern must end at \z, ASCII.
        ["image with a trailing newline"] = (ACommand with { Image = "debian:12\n" }, "image"),
        ["image name with a trailing newline"] = (ACommand with { Image = "debian\n" }, "image"),
        ["image name not ASCII"] = (ACommand with { Image = "débian" }, "image"),
        ["image tag not ASCII"] = (ACommand with { Image = "debian:bookwörm" }, "image"),
        ["image tag with Arabic digits"] = (ACommand with { Image = "debian:١٢" }, "image"),
        ["env name with a trailing newline"] = (ACommand with { Env = Env(("A\n", "x")) }, "env.A\n"),
        ["env name not ASCII"] = (ACommand with { Env = Env(("É", "x")) }, "env.É"),
        ["env value faking a GODOCKER_ line"] = (ACommand with { Env = Env(("A", "x\nGODOCKER_OWNER=root")) }, "env.A"),
        ["env value with a carriage return"] = (ACommand with { Env = Env(("A", "x\rGODOCKER_OWNER=root")) }, "env.A"),
        ["env value with an escape character"] = (ACommand with { Env = Env(("A", "x\u001b[2K")) }, "env.A"),
        ["tag with a trailing newline"] = (ACommand with { Tags = ["nightly\n"] }, "tags"),
        ["tag not ASCII"] = (ACommand with { Tags = ["nïghtly"] }, "tags"),
        ["project with a trailing newline"] = (ACommand with { Project = "physics\n" }, "project"),
        ["label key with a trailing newline"] = (ACommand with { Labels = Env(("team\n", "x")) }, "labels.team\n"),
        ["label value with a newline"] = (ACommand with { Labels = Env(("team", "astro\nrole=admin")) }, "labels.team"),
        ["workdir with a newline"] = (ACommand with { Workdir = "/data\n/etc" }, "workdir"),
        ["volume with a trailing newline"] = (ACommand with { Volumes = ["home\n"] }, "volumes"),
        ["volume twice"] = (ACommand with { Volumes = ["home", "home"] }, "volumes"),
        ["volume twice, once read-only"] = (ACommand with { Volumes = ["home", "home:ro"] }, "volumes"),
        ["volume twice, both with a mode"] = (ACommand with { Volumes = ["data:rw", "data:ro"] }, "volumes"),
        ["constraint with ; (the store's separator)"] = (ACommand with { Constraints = ["disk==ssd;zone==b"] }, "constraints"),
        ["constraint with , (the cycle's separator)"] = (ACommand with { Constraints = ["disk==ssd,zone==b"] }, "constraints"),
        ["constraint with a newline"] = (ACommand with { Constraints = ["disk==ssd\nzone==b"] }, "constraints"),
        ["constraint label with a space"] = (ACommand with { Constraints = ["my disk==ssd"] }, "constraints"),
        // --stdout/--stderr (sbatch -o/-e): the text alone; whether a volume holds it is checked once the mounts are known.
        ["stdout relative"] = (ACommand with { Stdout = "out/%j.out" }, "stdout"),
        ["stdout empty"] = (ACommand with { Stdout = "" }, "stdout"),
        ["stdout with .."] = (ACommand with { Stdout = "/data/../etc/passwd" }, "stdout"),
        ["stdout with ."] = (ACommand with { Stdout = "/data/./x.out" }, "stdout"),
        ["stdout with //"] = (ACommand with { Stdout = "/data//x.out" }, "stdout"),
        ["stdout a folder (trailing /)"] = (ACommand with { Stdout = "/data/out/" }, "stdout"),
        ["stdout the root"] = (ACommand with { Stdout = "/" }, "stdout"),
        ["stdout with a newline"] = (ACommand with { Stdout = "/data/x\n.out" }, "stdout"),
        ["stdout in the job directory"] = (ACommand with { Stdout = "/godocker/job/my.out" }, "stdout"),
        ["stdout the job directory itself"] = (ACommand with { Stdout = "/godocker/job" }, "stdout"),
        ["stdout with an unknown pattern"] = (ACommand with { Stdout = "/data/%N.out" }, "stdout"),
        ["stdout with a lone % at the end"] = (ACommand with { Stdout = "/data/x.%" }, "stdout"),
        ["stdout with a padded name"] = (ACommand with { Stdout = "/data/%3x.out" }, "stdout"),
        ["stdout padded past 10 digits"] = (ACommand with { Stdout = "/data/%11j.out" }, "stdout"),
        ["stdout %a for a job that is no array"] = (ACommand with { Stdout = "/data/%A_%a.out" }, "stdout"),
        ["stdout longer than 1024"] = (ACommand with { Stdout = "/data/" + new string('x', 1020) }, "stdout"),
        ["stdout of an interactive job"] = (new JobSpec { Interactive = true, Stdout = "/data/x.out" }, "stdout"),
        ["stderr relative"] = (ACommand with { Stderr = "err.txt" }, "stderr"),
        ["stderr with .."] = (ACommand with { Stderr = "/data/a/../../x" }, "stderr"),
        ["stderr with an unknown pattern"] = (ACommand with { Stderr = "/data/%J.err" }, "stderr"),
        ["stderr in the job directory"] = (ACommand with { Stderr = "/godocker/job/stderr" }, "stderr"),
        ["stderr of an interactive job"] = (new JobSpec { Interactive = true, Stderr = "/data/x.err" }, "stderr"),
        ["dependency on more than 1000 jobs"] = (ACommand with { Dependency = "afterok:" + string.Join(':', Enumerable.Range(1, 1001)) }, "dependency"),
    };

    /// <summary>
    /// A site that bounds nothing, its nodes not reached yet (JobsApi then lets any size wait): the ceilings still hold,
    /// so no request can push the scheduler's arithmetic past the ends of its types.
    /// </summary>
    private static readonly SubmitLimits Unbounded = new()
    {
        DefaultImage = "godocker/busybox",
        MaxCpus = double.MaxValue,
        MaxMemoryBytes = long.MaxValue,
        MaxGpus = int.MaxValue,
    };

    public static TheoryData<string, JobSpec, string> Huge() => new()
    {
        { "walltime 5000000d", ACommand with { Walltime = "5000000d" }, "walltime" },
        { "walltime 366 days", ACommand with { Walltime = "366d" }, "walltime" },
        { "walltime in seconds near TimeSpan's end", ACommand with { Walltime = "922337203685s" }, "walltime" },
        { "walltime 100000000 minutes", ACommand with { Walltime = "100000000" }, "walltime" },
        { "memory 8000000T", ACommand with { Memory = "8000000T" }, "memory" },
        { "memory 2 PiB", ACommand with { Memory = "2048T" }, "memory" },
        { "cpus 1e300", ACommand with { Cpus = 1e300 }, "cpus" },
        { "cpus double.MaxValue", ACommand with { Cpus = double.MaxValue }, "cpus" },
        { "gpus int.MaxValue", ACommand with { Gpus = int.MaxValue }, "gpus" },
    };

    [Theory]
    [MemberData(nameof(Huge))]
    public void Validate_RefusesAHugeRequest_EvenWhereTheSiteAndNodesSetNoBound(string because, JobSpec spec, string field)
    {
        var result = JobSpecValidator.Validate(spec, Unbounded);

        Assert.False(result.IsValid, because);
        Assert.Equal([field], result.Errors.Keys);
    }

    [Fact]
    public void Validate_AcceptsTheCeilings_Themselves()
    {
        var result = JobSpecValidator.Validate(ACommand with { Walltime = "365d", Memory = "1024T", Cpus = 100_000, Gpus = 1024 }, Unbounded);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        Assert.Equal(365 * 86400, result.Spec!.WalltimeSeconds);
    }

    [Fact]
    public void Validate_TheWalltimeError_SaysTheMaximum()
    {
        var result = JobSpecValidator.Validate(ACommand with { Walltime = "5000000d" }, Unbounded);

        Assert.Equal(["walltime 5000000-00:00:00 is above the maximum 365-00:00:00"], result.Errors["walltime"]);
    }

    [Fact]
    public void Validate_AcceptsATabInAnEnvValue_AndDistinctVolumes()
    {
        var result = JobSpecValidator.Validate(ACommand with { Env = Env(("A", "x\ty")), Volumes = ["home", "data:ro"] }, Site);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
    }

    [Fact]
    public void Validate_KeepsTheOutputPatterns_AsGiven_ForTheLaunchToExpand()
    {
        var result = JobSpecValidator.Validate(
            ACommand with { Array = "1-3", Stdout = "/data/it's a $(job)/%x-%A_%4a.out", Stderr = "/data/%u/%%j %j.err" }, Site);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        Assert.Equal(("/data/it's a $(job)/%x-%A_%4a.out", "/data/%u/%%j %j.err"), (result.Spec!.Stdout, result.Spec.Stderr));
    }

    public static TheoryData<string> InvalidCases() => new(Invalid.Keys);

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Validate_RefusesABadField_WithAnErrorKeyedByThatField(string because)
    {
        var (spec, field) = Invalid[because];

        var result = JobSpecValidator.Validate(spec, Site);

        Assert.False(result.IsValid);
        Assert.Null(result.Spec);
        Assert.Equal([field], result.Errors.Keys);
        Assert.All(result.Errors[field], message => Assert.False(string.IsNullOrWhiteSpace(message)));
    }

    [Fact]
    public void AnInteractiveJob_MayNameNoCommand_AndRunsTheImagesOwn()
    {
        var result = JobSpecValidator.Validate(new JobSpec { Interactive = true }, Site);

        Assert.True(result.IsValid);
        Assert.True(result.Spec!.Interactive);
        Assert.Null(result.Spec.Command);
        Assert.Null(result.Spec.Script);
        Assert.Equal("interactive", result.Spec.Name);
    }

    [Fact]
    public void ABatchJob_StillNeedsAScriptOrACommand()
    {
        var result = JobSpecValidator.Validate(new JobSpec { Interactive = false }, Site);

        Assert.Contains("script", result.Errors.Keys);
    }

    [Fact]
    public void AnInteractiveArray_IsRefused_OnTheArrayField()
    {
        var result = JobSpecValidator.Validate(ACommand with { Interactive = true, Array = "1-3" }, Site);

        Assert.Equal(["array"], result.Errors.Keys);
    }

    [Fact]
    public void Validate_ReportsEveryBadField_NotOnlyTheFirst()
    {
        var spec = ACommand with { Cpus = 0, Memory = "abc", Walltime = "soon", Env = Env(("1X", "v"), ("GODOCKER_Y", "v")) };

        var result = JobSpecValidator.Validate(spec, Site);

        Assert.Equal(["cpus", "env.1X", "env.GODOCKER_Y", "memory", "walltime"], result.Errors.Keys.Order());
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("default", false)]
    [InlineData("none", true)]
    public void Validate_ResolvesTheNetworkChoice(string? network, bool none)
    {
        var result = JobSpecValidator.Validate(ACommand with { Network = network }, Site);

        Assert.Equal(none, result.Spec!.NoNetwork);
    }

    [Theory]
    [InlineData(null, true, true)]
    [InlineData(null, false, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, false)]
    public void Validate_ResolvesRequeue_TheJobsChoiceOverTheSites(bool? asked, bool siteDefault, bool requeue)
    {
        var result = JobSpecValidator.Validate(ACommand with { Requeue = asked }, Site with { DefaultRequeue = siteDefault });

        Assert.Equal(requeue, result.Spec!.Requeue);
    }

    [Theory]
    [InlineData("host")]
    [InlineData("bridge")]
    [InlineData("container:abc")]
    [InlineData("none\n")]
    public void Validate_RefusesAnyOtherNetwork(string network)
    {
        var result = JobSpecValidator.Validate(ACommand with { Network = network }, Site);

        Assert.Equal(["network"], result.Errors.Keys);
    }

    [Fact]
    public void Validate_ReportsEachBadTag()
    {
        var result = JobSpecValidator.Validate(ACommand with { Tags = ["a b", "ok", "c d"] }, Site);

        Assert.Equal(2, result.Errors["tags"].Length);
    }

    [Fact]
    public void Validate_ChecksTheDefaultImageToo()
    {
        var result = JobSpecValidator.Validate(ACommand, Site with { DefaultImage = "Not Valid" });

        Assert.Equal(["image"], result.Errors.Keys);
    }

    [Fact]
    public void Validate_RefusesADefaultWalltimeAboveTheMaximum_WhenTheJobGivesNone()
    {
        var result = JobSpecValidator.Validate(ACommand, Site with { DefaultWalltime = TimeSpan.FromDays(8) });

        Assert.Equal(["walltime"], result.Errors.Keys);
    }

    [Fact]
    public void Validate_ResolvesSiteDefaults_ForACommand()
    {
        var result = JobSpecValidator.Validate(ACommand, Site);

        Assert.True(result.IsValid);
        Assert.Empty(result.Errors);
        var spec = result.Spec!;
        Assert.Equal("python3", spec.Name);                   // basename of command[0]
        Assert.Equal("godocker/busybox:latest", spec.Image);  // the default image, normalized
        Assert.Equal(0.5, spec.Cpus);
        Assert.Equal(256 * MiB, spec.MemoryBytes);
        Assert.Equal("default", spec.Project);
        Assert.Equal(4 * 3600, spec.WalltimeSeconds);
        Assert.Equal(["/usr/bin/python3", "run.py"], spec.Command);
        Assert.Null(spec.Script);
        Assert.Null(spec.Workdir);
        Assert.Empty(spec.Env);
        Assert.Empty(spec.Tags);
        Assert.Empty(spec.Labels);
    }

    [Fact]
    public void Validate_NamesAScriptJob_Script()
    {
        var spec = JobSpecValidator.Validate(AScript, Site).Spec!;

        Assert.Equal("script", spec.Name);
        Assert.Equal(AScript.Script, spec.Script);
        Assert.Null(spec.Command);
    }

    [Fact]
    public void Validate_LeavesWalltimeUnlimited_WhenTheSiteHasNoDefault()
    {
        var spec = JobSpecValidator.Validate(ACommand, Site with { DefaultWalltime = null, MaxWalltime = null }).Spec!;

        Assert.Null(spec.WalltimeSeconds);
    }

    [Fact]
    public void Validate_TakesWhatTheJobAsksFor_AndResolvesUnits()
    {
        var asked = ACommand with
        {
            Name = "my analysis",
            Image = "registry.example:5000/team/tool",
            Cpus = 2.33333,
            Memory = "1.5G",
            Walltime = "1-02:03:04",
            Project = "physics",
            Workdir = "/data",
            Env = Env(("OMP_NUM_THREADS", "2")),
            Tags = ["nightly", "v1.2"],
            Labels = Env(("team", "astro")),
        };

        var spec = JobSpecValidator.Validate(asked, Site).Spec!;

        Assert.Equal("my analysis", spec.Name);
        Assert.Equal("registry.example:5000/team/tool:latest", spec.Image);
        Assert.Equal(2.333, spec.Cpus);                      // rounded to millicpus
        Assert.Equal(3 * GiB / 2, spec.MemoryBytes);
        Assert.Equal(((1 * 24 + 2) * 60 + 3) * 60 + 4, spec.WalltimeSeconds);
        Assert.Equal("physics", spec.Project);
        Assert.Equal("/data", spec.Workdir);
        Assert.Equal("2", spec.Env["OMP_NUM_THREADS"]);
        Assert.Equal(["nightly", "v1.2"], spec.Tags);
        Assert.Equal("astro", spec.Labels["team"]);
    }

    [Theory]
    [InlineData("debian", "debian:latest")]
    [InlineData("debian:bookworm", "debian:bookworm")]
    [InlineData("godocker/busybox:latest", "godocker/busybox:latest")]
    [InlineData("registry.example:5000/team/tool:1.2", "registry.example:5000/team/tool:1.2")]
    [InlineData("debian@" + Digest, "debian@" + Digest)]
    [InlineData("registry.example:5000/team/tool@" + Digest, "registry.example:5000/team/tool@" + Digest)]
    public void Validate_AcceptsValidImages_AndNormalizesThem(string image, string resolved)
    {
        var result = JobSpecValidator.Validate(ACommand with { Image = image }, Site);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        Assert.Equal(resolved, result.Spec!.Image);
    }

    [Theory]
    [InlineData(16.0)]       // exactly the largest node
    [InlineData(0.01)]
    public void Validate_AcceptsCpusAtTheBounds(double cpus)
    {
        Assert.True(JobSpecValidator.Validate(ACommand with { Cpus = cpus }, Site).IsValid);
    }

    [Theory]
    [InlineData("6M", 6 * MiB)]      // the engine's minimum
    [InlineData("64G", 64 * GiB)]    // exactly the largest node
    [InlineData("100", 100 * MiB)]   // bare number is MiB
    public void Validate_AcceptsMemoryAtTheBounds(string memory, long bytes)
    {
        Assert.Equal(bytes, JobSpecValidator.Validate(ACommand with { Memory = memory }, Site).Spec!.MemoryBytes);
    }

    [Fact]
    public void Validate_AcceptsWalltimeAtTheMaximum()
    {
        Assert.Equal(7 * 86400, JobSpecValidator.Validate(ACommand with { Walltime = "7d" }, Site).Spec!.WalltimeSeconds);
    }

    [Fact]
    public void Validate_AcceptsAScriptOfExactlyMaxScriptBytes()
    {
        var script = "echo " + new string('x', 1019);
        Assert.Equal(1024, script.Length);

        Assert.True(JobSpecValidator.Validate(new JobSpec { Script = script }, Site).IsValid);
    }

    [Fact]
    public void Validate_AcceptsEnvNamesWithUnderscoresAndDigits()
    {
        var result = JobSpecValidator.Validate(ACommand with { Env = Env(("_A1", "x"), ("lower_case", "")) }, Site);

        Assert.True(result.IsValid);
    }

    private static Dictionary<string, string> Env(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);
}
