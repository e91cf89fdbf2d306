namespace GoDocker.Cli.Tests.Scripting;

public class MultiCallTests
{
    [Theory]
    [InlineData("/opt/godocker/bin/godocker-kill", "kill")]
    [InlineData("godocker-status", "status")]
    [InlineData("./godocker-submit", "submit")]
    [InlineData("godocker-wait", "wait")]
    public void ALinkedName_IsTheCommand(string program, string command)
    {
        Assert.Equal([command, "12", "13"], MultiCall.Args(program, ["12", "13"]));
    }

    [Theory]
    [InlineData("/usr/bin/godocker")]
    [InlineData("godocker-server")]
    [InlineData("godocker-purge")]
    [InlineData(null)]
    public void AnyOtherName_LeavesTheArgumentsAlone(string? program)
    {
        Assert.Equal(["kill", "12"], MultiCall.Args(program, ["kill", "12"]));
    }

    [Fact]
    public void TheLinksGodockerShCreates_AreTheLinkedCommands()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "godocker.sh")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no godocker.sh above the tests");
        }
        var script = File.ReadAllText(Path.Combine(root, "godocker.sh"));

        Assert.Contains($"for command in {string.Join(' ', MultiCall.LinkedCommands)}; do", script, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryLinkedCommand_IsACommand()
    {
        Assert.All(MultiCall.LinkedCommands, c => Assert.Contains(GoDockerCommandLine.Commands, x => x.Name == c));
    }
}
