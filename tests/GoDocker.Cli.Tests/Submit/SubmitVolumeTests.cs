namespace GoDocker.Cli.Tests.Submit;

/// <summary>--volume and --chdir: a job that starts where the user's files are, as on a shared-filesystem cluster.</summary>
public class SubmitVolumeTests
{
    private readonly SubmitParsing cli = new();

    [Fact]
    public void Volume_IsRepeatable_AndKeepsItsMode()
    {
        var spec = cli.Spec(null, "--volume", "home", "-v", "refdata:ro", "--", "true");

        Assert.Equal(["home", "refdata:ro"], spec.Volumes);
    }

    [Fact]
    public void NoVolume_SendsNone()
    {
        Assert.Null(cli.Spec(null, "--", "true").Volumes);
    }

    [Fact]
    public void Volume_InADirective_IsMerged_WithTheFlagsModeWinningForTheSameVolume()
    {
        const string script = """
            #!/bin/sh
            #GODOCKER --volume home --volume refdata
            #GODOCKER --chdir /data/project
            true
            """;

        var spec = cli.Spec(script, "--volume", "refdata:ro", "--volume", "scratch", "job.sh");

        Assert.Equal(["home", "refdata:ro", "scratch"], spec.Volumes);
        Assert.Equal("/data/project", spec.Workdir);
    }

    [Theory]
    [InlineData("--chdir")]
    [InlineData("-D")]
    [InlineData("--workdir")]
    public void Chdir_IsAnotherNameOfWorkdir(string option)
    {
        Assert.Equal("/home/alice/run", cli.Spec(null, option, "/home/alice/run", "--", "true").Workdir);
    }

    [Theory]
    [InlineData("data:rx")]
    [InlineData(":ro")]
    [InlineData("/srv/data")]
    public void Volume_NotANameAndMode_IsAParseErrorNamingIt(string volume)
    {
        var parse = cli.Parse("--volume", volume, "--", "true");

        var error = Assert.Single(parse.Errors);
        Assert.Contains($"'{volume}'", error.Message, StringComparison.Ordinal);
    }
}
