using GoDocker.Cli.Server;

namespace GoDocker.Cli.Tests.Commands;

public class ServerHandoverTests
{
    [Fact]
    public void Server_EnvironmentVariable_IsTheOnlyCandidate_WhenSet()
    {
        Assert.Equal(["/opt/gd/bin/godocker-server"], ServerHandover.Candidates("/opt/gd/bin/godocker-server", "/usr/local/bin/"));
    }

    [Fact]
    public void Server_IsLookedForNextToTheClient_ThenInTheSiblingServerDirectory()
    {
        Assert.Equal(
            ["/opt/gd/cli/godocker-server", "/opt/gd/server/godocker-server"],
            ServerHandover.Candidates(null, "/opt/gd/cli/"));
    }
}
