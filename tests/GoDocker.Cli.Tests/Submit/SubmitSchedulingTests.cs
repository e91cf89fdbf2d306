namespace GoDocker.Cli.Tests.Submit;

/// <summary>submit's scheduling options (sbatch's --gpus, --constraint, --array, --dependency, --hold), as flags and as #GODOCKER lines.</summary>
public class SubmitSchedulingTests
{
    private readonly SubmitParsing cli = new();

    [Fact]
    public void Submit_SchedulingFlags_ReachTheSpec()
    {
        var spec = cli.Spec(null, "--gpus", "2", "--constraint", "disk==ssd", "-C", "zone!=b", "--array", "1-100:2%10",
            "--dependency", "afterok:12:13,afterany:20", "--hold", "--", "true");

        Assert.Equal(2, spec.Gpus);
        Assert.Equal(["disk==ssd", "zone!=b"], spec.Constraints);
        Assert.Equal("1-100:2%10", spec.Array);
        Assert.Equal("afterok:12:13,afterany:20", spec.Dependency);
        Assert.True(spec.Hold);
    }

    [Fact]
    public void Submit_ShortForms_AreSbatchs()
    {
        var spec = cli.Spec(null, "-G", "1", "-a", "0-3", "-d", "afternotok:5", "-H", "--", "true");

        Assert.Equal(1, spec.Gpus);
        Assert.Equal("0-3", spec.Array);
        Assert.Equal("afternotok:5", spec.Dependency);
        Assert.True(spec.Hold);
    }

    [Fact]
    public void Submit_ConstraintsJoinedWithAmpersand_AreSplit_AsSlurmWritesThem()
    {
        var spec = cli.Spec(null, "-C", "disk==ssd&zone!=b", "--", "true");

        Assert.Equal(["disk==ssd", "zone!=b"], spec.Constraints);
    }

    [Fact]
    public void Submit_WithoutSchedulingOptions_LeavesThemOut()
    {
        var spec = cli.Spec(null, "--", "true");

        Assert.Null(spec.Gpus);
        Assert.Null(spec.Constraints);
        Assert.Null(spec.Array);
        Assert.Null(spec.Dependency);
        Assert.Null(spec.Hold);
    }

    [Fact]
    public void Submit_RequeueAndNoRequeue_ReachTheSpec_AsFlagsAndAsDirectives_TheCommandLineWinning()
    {
        Assert.True(cli.Spec(null, "--requeue", "--", "true").Requeue);
        Assert.False(cli.Spec(null, "--no-requeue", "--", "true").Requeue);
        Assert.False(cli.Spec("#!/bin/sh\n#GODOCKER --no-requeue\ntrue\n", "job.sh").Requeue);
        Assert.True(cli.Spec("#!/bin/sh\n#GODOCKER --no-requeue\ntrue\n", "--requeue", "job.sh").Requeue);
        Assert.Null(cli.Spec(null, "--", "true").Requeue);
    }

    [Fact]
    public void Submit_RequeueAndNoRequeueTogether_IsAUsageError()
    {
        var error = Assert.Throws<UsageException>(() => cli.Spec(null, "--requeue", "--no-requeue", "--", "true"));

        Assert.Contains("--requeue and --no-requeue", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_NetworkNone_ReachesTheSpec_AsFlagAndAsDirective()
    {
        Assert.Equal("none", cli.Spec(null, "--network", "none", "--", "true").Network);
        Assert.Equal("none", cli.Spec("#!/bin/sh\n#GODOCKER --network none\ntrue\n", "job.sh").Network);
        Assert.Null(cli.Spec(null, "--", "true").Network);
    }

    [Fact]
    public void Submit_NetworkOtherThanDefaultOrNone_IsAUsageError()
    {
        Assert.NotEmpty(cli.Parse("--network", "host", "--", "true").Errors);
    }

    [Fact]
    public void Submit_HoldDoesNotTakeTheScriptFileAsItsValue()
    {
        var input = cli.Input("--hold", "job.sh");

        Assert.Equal("job.sh", input.ScriptPath);
    }

    private const string Script = """
        #!/bin/bash
        #GODOCKER --array 1-10%2 --gpus 1 -C disk==ssd
        #GODOCKER --dependency afterok:7 --hold
        echo $GODOCKER_TASK_ID
        """;

    [Fact]
    public void Submit_Directives_GiveTheSchedulingOptions()
    {
        var spec = cli.Spec(Script, "job.sh");

        Assert.Equal("1-10%2", spec.Array);
        Assert.Equal(1, spec.Gpus);
        Assert.Equal(["disk==ssd"], spec.Constraints);
        Assert.Equal("afterok:7", spec.Dependency);
        Assert.True(spec.Hold);
    }

    [Fact]
    public void Submit_Flags_WinOverDirectives_AndConstraintsAddUp()
    {
        var spec = cli.Spec(Script, "-a", "1-3", "-G", "0", "-d", "afterany:8", "-C", "zone!=b", "job.sh");

        Assert.Equal("1-3", spec.Array);
        Assert.Equal(0, spec.Gpus);
        Assert.Equal("afterany:8", spec.Dependency);
        Assert.Equal(["disk==ssd", "zone!=b"], spec.Constraints);
        Assert.True(spec.Hold);
    }

    [Theory]
    [InlineData("--array", "5-1", "--array:")]
    [InlineData("--array", "1-10%0", "--array:")]
    [InlineData("--dependency", "after:3", "--dependency:")]
    [InlineData("--dependency", "afterok:x", "--dependency:")]
    [InlineData("--constraint", "disk=ssd", "--constraint:")]
    [InlineData("--constraint", "disk==ssd&zone", "--constraint:")]
    [InlineData("--gpus", "-1", "--gpus")]
    [InlineData("--gpus", "1.5", "--gpus")]
    public void Submit_MalformedSchedulingOption_IsAParseError_NamingIt(string option, string value, string named)
    {
        var parse = cli.Parse(option, value, "--", "true");

        Assert.Contains(parse.Errors, e => e.Message.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void Submit_MalformedDirective_IsAUsageError_NamingTheScript()
    {
        var e = Assert.Throws<UsageException>(() => cli.Spec("#GODOCKER --array 1-x\ntrue\n", "job.sh"));

        Assert.StartsWith("job.sh: #GODOCKER: --array:", e.Message);
    }
}
