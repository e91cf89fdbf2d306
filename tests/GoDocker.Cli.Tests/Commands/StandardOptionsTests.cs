using System.CommandLine;

namespace GoDocker.Cli.Tests.Commands;

public class StandardOptionsTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("submit", "--help")]
    [InlineData("files", "get", "-?")]
    public async Task Help_PrintsUsage_AndSucceeds_AtEveryLevel(params string[] args)
    {
        var (exit, output) = await InvokeAsync(args);

        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output);
        Assert.Contains("-?, -h, --help", output);
    }

    [Fact]
    public async Task Help_WinsOverAMissingSubcommand()
    {
        var (exit, output) = await InvokeAsync("user", "--help");

        Assert.Equal(0, exit);
        Assert.Contains("godocker user [command] [options]", output);
    }

    [Fact]
    public async Task Version_PrintsTheInformationalVersion()
    {
        var (exit, output) = await InvokeAsync("--version");

        Assert.Equal(0, exit);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    [Fact]
    public void Version_BelongsToTheRootOnly()
    {
        var parse = GoDockerCommandLine.Build().Parse(["jobs", "--version"], GoDockerCommandLine.Parsing);

        Assert.NotEmpty(parse.Errors);
    }

    private static async Task<(int Exit, string Output)> InvokeAsync(params string[] args)
    {
        var output = new StringWriter();
        var parse = GoDockerCommandLine.Build().Parse(args, GoDockerCommandLine.Parsing);
        Assert.Empty(parse.Errors);
        var exit = await parse.InvokeAsync(new InvocationConfiguration { Output = output }, CancellationToken.None);
        return (exit, output.ToString());
    }
}
