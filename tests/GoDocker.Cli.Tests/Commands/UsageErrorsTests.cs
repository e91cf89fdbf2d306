using GoDocker.Cli.Commands;

namespace GoDocker.Cli.Tests.Commands;

public class UsageErrorsTests
{
    [Fact]
    public void HelpPointer_NamesTheSubcommandTheParseReached()
    {
        var parse = GoDockerCommandLine.Build().Parse(["files", "get", "notanumber", "x"], GoDockerCommandLine.Parsing);

        Assert.NotEmpty(parse.Errors);
        Assert.Equal("godocker files get", UsageErrors.CommandPath(parse.CommandResult));
    }

    [Theory]
    [InlineData("show", "0")]
    [InlineData("show", "x")]
    [InlineData("kill", "3", "abc")]
    public void JobIds_ThatAreNotPositiveNumbers_AreParseErrors(params string[] args)
    {
        var parse = GoDockerCommandLine.Build().Parse(args, GoDockerCommandLine.Parsing);

        Assert.Contains(parse.Errors, e => e.Message.Contains("is not a job id"));
    }

    [Fact]
    public void ServerCommand_IsListed_AndTakesAnyArguments()
    {
        var parse = GoDockerCommandLine.Build().Parse(["server", "--listen", "http://0.0.0.0:9000", "extra"], GoDockerCommandLine.Parsing);

        Assert.Empty(parse.Errors);
        Assert.Equal(ServerCommand.Name, parse.CommandResult.Command.Name);
    }
}
