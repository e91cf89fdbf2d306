namespace GoDocker.Cli.Tests.Submit;

public class SubmitSpecTests
{
    private readonly SubmitParsing cli = new();

    private const string Script = """
        #!/bin/bash
        #GODOCKER --cpus 2 --mem 4G -J from-directive
        #GODOCKER -i debian:bookworm -T 2:00:00 -p physics
        # an ordinary comment
        #GODOCKER -e A=directive -e B=directive -l team=blue -t nightly
        echo hello
        #GODOCKER --cpus 99
        """;

    [Fact]
    public void Submit_DirectivesGiveTheOptions_WhenNoFlagIsGiven()
    {
        var spec = cli.Spec(Script, "job.sh");

        Assert.Equal(2, spec.Cpus);
        Assert.Equal("4G", spec.Memory);
        Assert.Equal("from-directive", spec.Name);
        Assert.Equal("debian:bookworm", spec.Image);
        Assert.Equal("2:00:00", spec.Walltime);
        Assert.Equal("physics", spec.Project);
        Assert.Equal(Script, spec.Script);
        Assert.Null(spec.Command);
    }

    [Fact]
    public void Submit_FlagOverridesDirective()
    {
        var spec = cli.Spec(Script, "--cpus", "0.5", "-J", "from-flag", "--mem", "1G", "job.sh");

        Assert.Equal(0.5, spec.Cpus);
        Assert.Equal("from-flag", spec.Name);
        Assert.Equal("1G", spec.Memory);
        Assert.Equal("debian:bookworm", spec.Image);
    }

    [Fact]
    public void Submit_DirectivesAfterTheFirstCommand_AreIgnored()
    {
        var spec = cli.Spec(Script, "job.sh");

        Assert.Equal(2, spec.Cpus);
    }

    [Fact]
    public void Submit_EnvAndLabels_MergeKeyByKey_WithTheFlagWinningOnTheSameKey()
    {
        var spec = cli.Spec(Script, "-e", "B=flag", "-e", "C=flag", "-l", "team=red", "job.sh");

        Assert.Equal(new Dictionary<string, string> { ["A"] = "directive", ["B"] = "flag", ["C"] = "flag" }, spec.Env);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "red" }, spec.Labels);
    }

    [Fact]
    public void Submit_Tags_AreTheUnionOfDirectivesAndFlags_WithoutRepeats()
    {
        var spec = cli.Spec(Script, "-t", "urgent", "-t", "nightly", "job.sh");

        Assert.Equal(["nightly", "urgent"], spec.Tags);
    }

    [Fact]
    public void Submit_EnvValue_MayHoldEqualsSigns()
    {
        var spec = cli.Spec(null, "-e", "OPTS=a=1,b=2", "--", "env");

        Assert.Equal("a=1,b=2", spec.Env!["OPTS"]);
    }

    [Fact]
    public void Submit_LaterEnvFlag_WinsOverAnEarlierOneForTheSameKey()
    {
        var spec = cli.Spec(null, "-e", "X=1", "-e", "X=2", "--", "env");

        Assert.Equal("2", spec.Env!["X"]);
    }

    [Fact]
    public void Submit_OptionsNotGiven_AreLeftOut_SoTheServerAppliesItsDefaults()
    {
        var spec = cli.Spec(null, "--", "true");

        Assert.Null(spec.Name);
        Assert.Null(spec.Image);
        Assert.Null(spec.Cpus);
        Assert.Null(spec.Memory);
        Assert.Null(spec.Env);
        Assert.Null(spec.Tags);
        Assert.Null(spec.Labels);
        Assert.Null(spec.Walltime);
        Assert.Null(spec.Script);
    }

    [Fact]
    public void Submit_ArgvAfterDoubleDash_IsTheCommand_Verbatim()
    {
        var spec = cli.Spec(null, "-i", "alpine", "--", "sh", "-c", "echo $HOME --cpus 4", "-e", "@file", "--");

        Assert.Equal(["sh", "-c", "echo $HOME --cpus 4", "-e", "@file", "--"], spec.Command);
        Assert.Null(spec.Script);
        Assert.Null(spec.Cpus);
        Assert.Null(spec.Env);
    }

    [Fact]
    public void Submit_FlagsAfterTheScriptFile_StillApply()
    {
        var spec = cli.Spec("echo hi\n", "job.sh", "--cpus", "3");

        Assert.Equal(3, spec.Cpus);
    }

    [Fact]
    public void Submit_InlineScript_CarriesItsOwnDirectives()
    {
        var spec = cli.Spec(null, "-s", "#GODOCKER --cpus 4\necho hi\n");

        Assert.Equal(4, spec.Cpus);
        Assert.Equal("#GODOCKER --cpus 4\necho hi\n", spec.Script);
    }

    [Fact]
    public void Submit_DirectiveQuoting_KeepsSpacesInsideOneValue()
    {
        var spec = cli.Spec("#GODOCKER -J \"two words\" -e 'MSG=hello world'\ntrue\n", "job.sh");

        Assert.Equal("two words", spec.Name);
        Assert.Equal("hello world", spec.Env!["MSG"]);
    }
}
