using GoDocker.Cli.Submit;

namespace GoDocker.Cli.Tests.Submit;

/// <summary>--parsable, --wait and --export: what sbatch users and workflow managers pass.</summary>
public class SubmitScriptingTests
{
    private readonly SubmitParsing cli = new();

    [Fact]
    public void ParsableAndWait_AreAccepted()
    {
        Assert.Empty(cli.Parse("--parsable", "--wait", "--", "true").Errors);
        Assert.Empty(cli.Parse("-W", "--", "true").Errors);
    }

    [Fact]
    public void Parsable_IsNotAJobOption_SoNotADirective()
    {
        var e = Assert.Throws<UsageException>(() => cli.Spec("#!/bin/sh\n#GODOCKER --parsable\ntrue\n", "job.sh"));

        Assert.Contains("only job options", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_NamesAndValues_AreResolved_UnsetNamesLeftOut()
    {
        var environment = new Dictionary<string, string> { ["SAMPLE"] = "S1", ["THREADS"] = "4" };

        var pairs = ExportArgument.Resolve(["SAMPLE,MODE=fast", "THREADS,UNSET_HERE", "NONE"], environment.GetValueOrDefault);

        Assert.Equal([new("SAMPLE", "S1"), new("MODE", "fast"), new("THREADS", "4")], pairs);
    }

    [Fact]
    public void Export_ReachesTheSpec_WithEnvWinningOnTheSameKey()
    {
        Environment.SetEnvironmentVariable("GODOCKER_TEST_EXPORTED", "from-host");

        var spec = cli.Spec(null, "--export", "GODOCKER_TEST_EXPORTED,MODE=fast", "-e", "MODE=slow", "--", "true");

        Assert.Equal(new Dictionary<string, string> { ["GODOCKER_TEST_EXPORTED"] = "from-host", ["MODE"] = "slow" }, spec.Env);
    }

    [Fact]
    public void Export_None_SetsNothing()
    {
        Assert.Null(cli.Spec(null, "--export", "NONE", "--", "true").Env);
    }

    [Fact]
    public void Export_All_IsRefused_SayingWhy()
    {
        var error = Assert.Single(cli.Parse("--export", "ALL", "--", "true").Errors);

        Assert.Contains("PATH", error.Message, StringComparison.Ordinal);
        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1BAD")]
    [InlineData("A-B=1")]
    [InlineData("A,,B")]
    public void Export_NotANameOrPair_IsAParseError(string value)
    {
        Assert.NotEmpty(cli.Parse("--export", value, "--", "true").Errors);
    }
}
