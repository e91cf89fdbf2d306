namespace GoDocker.Cli.Tests.Commands;

/// <summary>A command line that names a command gets a tree with that command alone (start-up cost); the rest, the whole tree.</summary>
public class CommandTreeTests
{
    [Fact]
    public void EveryCommand_IsRegisteredUnderTheNameItIsBuiltWith()
    {
        var global = new GlobalOptions();

        Assert.All(GoDockerCommandLine.Commands, c => Assert.Equal(c.Name, c.Create(global).Name));
        Assert.Equal(GoDockerCommandLine.Commands.Length, GoDockerCommandLine.Commands.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [InlineData("submit", "submit", "--", "true")]
    [InlineData("jobs", "--url", "http://x:1", "jobs", "--pending")]
    [InlineData("quota", "--url=http://x:1", "quota", "set")]
    [InlineData("server", "server", "--help")]
    public void NamedCommand_IsTheFirstWordAfterTheRootsUrl(string expected, params string[] args)
    {
        Assert.Equal(expected, GoDockerCommandLine.NamedCommand(args));
    }

    [Theory]
    [InlineData]
    [InlineData("--help")]
    [InlineData("-h", "submit")]
    [InlineData("--version")]
    [InlineData("subimt", "--", "true")]
    public void NamedCommand_IsNone_ForHelpVersionAndTypos(params string[] args)
    {
        Assert.Null(GoDockerCommandLine.NamedCommand(args));
    }

    [Fact]
    public void Build_ForANamedCommand_HoldsThatCommandAlone_AndParsesAsTheWholeTreeDoes()
    {
        string[] args = ["--url", "http://x:1", "kill", "--array", "12"];

        var tree = GoDockerCommandLine.Build(args);

        Assert.Equal("kill", Assert.Single(tree.Subcommands).Name);
        Assert.Empty(tree.Parse(args, GoDockerCommandLine.Parsing).Errors);
    }

    [Fact]
    public void Build_ForATypo_HoldsEveryCommand_SoTheErrorIsTheUsualOne()
    {
        string[] args = ["subimt"];

        var tree = GoDockerCommandLine.Build(args);

        Assert.Equal(GoDockerCommandLine.Commands.Length, tree.Subcommands.Count);
        Assert.NotEmpty(tree.Parse(args, GoDockerCommandLine.Parsing).Errors);
    }
}
