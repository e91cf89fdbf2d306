using GoDocker.IntegrationTests.Infrastructure;
using GoDocker.Jobs;

namespace GoDocker.IntegrationTests;

/// <summary>The sandbox's options are closed sets and sizes, checked at start: a bad one stops the server naming its key.</summary>
public sealed class SandboxConfigurationTests
{
    [Theory]
    [InlineData("Executor:Docker:Network", "bogus", "network 'bogus' is not one of godocker, none, bridge")]
    [InlineData("Executor:Docker:Network", "container:db", "network 'container:db' is refused")]
    [InlineData("Executor:Docker:HostPortsOpen:0", "70000", "Executor:Docker:HostPortsOpen: 70000 is not a port")]
    [InlineData("Jobs:RootFilesystem", "rw", "Jobs:RootFilesystem 'rw' is not readonly or writable")]
    [InlineData("Jobs:TmpSize", "big", "Jobs:TmpSize 'big' is not a size")]
    [InlineData("Server:MinFreeSpace", "lots", "Server:MinFreeSpace 'lots' is not a size (2G) or a percentage below 100 (5%)")]
    public async Task ABadSandboxOption_StopsTheServerAtStart_NamingIt(string key, string value, string message)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServerProcess.StartAsync(new Dictionary<string, string> { [key] = value }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SiteNetworkNone_LeavesEveryJobOnlyLoopback()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string> { ["Executor:Docker:Network"] = "none" });

        var job = await server.Api.SubmitAsync(new JobSpec { Script = "ip -o link | awk -F': ' '{print $2}'" });
        var done = await server.Api.WaitEndAsync(job.Id);

        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal("lo\n", await server.Api.StdoutAsync(job.Id));
    }
}
