namespace GoDocker.Cli.Tests.Submit;

public class SubmitUsageTests
{
    private readonly SubmitParsing cli = new();

    [Fact]
    public void Submit_OneArgument_IsTheScriptFile()
    {
        var input = cli.Input("-c", "2", "job.sh");

        Assert.Equal("job.sh", input.ScriptPath);
        Assert.Null(input.Command);
    }

    [Fact]
    public void Submit_Dash_ReadsTheScriptFromStdin()
    {
        var input = cli.Input("-");

        Assert.Equal("-", input.ScriptPath);
        Assert.Equal("<stdin>", input.Source);
    }

    [Fact]
    public void Submit_NothingToRun_IsAUsageError()
    {
        var e = Assert.Throws<UsageException>(() => cli.Input("--image", "x"));
        Assert.Contains("nothing to run", e.Message);
    }

    [Fact]
    public void Submit_NothingAfterDoubleDash_IsAUsageError()
    {
        Assert.Throws<UsageException>(() => cli.Input("--"));
    }

    [Fact]
    public void Submit_ScriptFileAndCommand_IsAUsageError()
    {
        Assert.Throws<UsageException>(() => cli.Input("job.sh", "--", "true"));
    }

    [Fact]
    public void Submit_InlineScriptAndCommand_IsAUsageError()
    {
        Assert.Throws<UsageException>(() => cli.Input("-s", "echo", "--", "true"));
    }

    [Fact]
    public void Submit_TwoScriptFiles_IsAUsageError_PointingAtDoubleDash()
    {
        var e = Assert.Throws<UsageException>(() => cli.Input("echo", "hi"));
        Assert.Contains("after --", e.Message);
    }

    [Fact]
    public void Submit_UnknownOption_IsReportedAsSuch_NotAsAScriptFile()
    {
        var e = Assert.Throws<UsageException>(() => cli.Input("--cpu", "2", "--", "true"));
        Assert.Contains("unknown option '--cpu'", e.Message);
    }

    [Theory]
    [InlineData("-e", "NOEQUALS")]
    [InlineData("-e", "=value")]
    [InlineData("-l", "novalue")]
    public void Submit_KeyValueOptionWithoutKeyEqualsValue_IsAParseError(string option, string value)
    {
        var parse = cli.Parse(option, value, "--", "true");

        Assert.Contains(parse.Errors, e => e.Message.Contains("is not KEY=VALUE"));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    public void Submit_CpusThatAreNotAPositiveNumber_AreAParseError(string cpus)
    {
        var parse = cli.Parse("--cpus", cpus, "--", "true");

        Assert.NotEmpty(parse.Errors);
    }

    [Fact]
    public void Submit_OutputFormat_AcceptsIdAndJson_Only()
    {
        Assert.Empty(cli.Parse("-o", "id", "--", "true").Errors);
        Assert.Empty(cli.Parse("-o", "json", "--", "true").Errors);
        Assert.NotEmpty(cli.Parse("-o", "yaml", "--", "true").Errors);
    }

    [Fact]
    public void Submit_DirectiveWithAClientOption_IsAUsageError_NamingTheScript()
    {
        var e = Assert.Throws<UsageException>(() => cli.Spec("#GODOCKER --url http://elsewhere\ntrue\n", "job.sh"));
        Assert.StartsWith("job.sh: #GODOCKER --url", e.Message);
    }

    [Fact]
    public void Submit_DirectiveWithAStrayWord_IsAUsageError()
    {
        var e = Assert.Throws<UsageException>(() => cli.Spec("#GODOCKER --cpus 2 extra\ntrue\n", "job.sh"));
        Assert.Contains("'extra' is not an option", e.Message);
    }

    [Fact]
    public void Submit_DirectiveThatDoesNotParse_IsAUsageError_NamingTheScript()
    {
        var e = Assert.Throws<UsageException>(() => cli.Spec("#GODOCKER --cpus lots\ntrue\n", "job.sh"));
        Assert.StartsWith("job.sh: #GODOCKER", e.Message);
        Assert.Contains("'lots'", e.Message);
    }

    [Fact]
    public void Submit_DirectiveWithACommand_IsAUsageError()
    {
        Assert.Throws<UsageException>(() => cli.Spec("#GODOCKER -- rm -rf /\ntrue\n", "job.sh"));
    }
}
