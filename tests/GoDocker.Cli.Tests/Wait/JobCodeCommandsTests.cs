namespace GoDocker.Cli.Tests.Wait;

/// <summary>Which command lines exit with a job's code, and so report the CLI's own failures as 125.</summary>
public class JobCodeCommandsTests
{
    [Theory]
    [InlineData(true, "wait", "5")]
    [InlineData(true, "run", "-it", "--", "sh")]
    [InlineData(true, "attach", "5")]
    [InlineData(true, "exec", "5", "--", "true")]
    [InlineData(true, "submit", "--wait", "--", "true")]
    [InlineData(true, "submit", "-W", "--", "true")]
    [InlineData(true, "--url", "http://h:1", "wait", "5")]
    [InlineData(false, "submit", "--", "true")]
    [InlineData(false, "submit", "--", "sh", "--wait")]
    [InlineData(false, "show", "5")]
    [InlineData(false, "status", "5")]
    [InlineData(false, "kill", "5")]
    public void PassesJobCode(bool expected, params string[] args)
    {
        var parse = GoDockerCommandLine.Build(args).Parse(args, GoDockerCommandLine.Parsing);

        Assert.Equal(expected, ExitCodes.PassesJobCode(parse));
    }

    [Fact]
    public void OwnFailure_IsNoneOfThePlainCodes()
    {
        Assert.DoesNotContain(ExitCodes.OwnFailure, new[] { ExitCodes.Ok, ExitCodes.Refused, ExitCodes.Usage, ExitCodes.Unreachable, ExitCodes.TimedOut, ExitCodes.Interrupted });
    }
}
