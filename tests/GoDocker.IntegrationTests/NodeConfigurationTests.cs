using GoDocker.IntegrationTests.Infrastructure;

namespace GoDocker.IntegrationTests;

/// <summary>A Nodes list that cannot work stops the server at start, naming every problem and the entry it is in.</summary>
public sealed class NodeConfigurationTests
{
    [Fact]
    public async Task DuplicateNames_SharedEndpoints_AndBadEntries_AreRefusedAtStart_AllAtOnce()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(new Dictionary<string, string>
        {
            ["Nodes:0:Name"] = "n1",
            ["Nodes:0:Endpoint"] = "unix:///var/run/docker.sock",
            ["Nodes:1:Name"] = "n1",
            ["Nodes:1:Endpoint"] = "unix:///var/run/docker.sock",
            ["Nodes:2:Name"] = "n3",
            ["Nodes:2:Endpoint"] = "docker.sock",
            ["Nodes:2:Memory"] = "lots",
        }));

        Assert.Contains("Nodes:1 (n1): name 'n1' is also the name of Nodes:0; names must be unique", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nodes:1 (n1): endpoint unix:///var/run/docker.sock is also the endpoint of node n1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nodes:2 (n3): endpoint 'docker.sock' is not unix:///path/to/docker.sock or tcp://host:port", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nodes:2 (n3): memory 'lots' is not a size", error.Message, StringComparison.Ordinal);
    }
}
