using GoDocker.IntegrationTests.Infrastructure;

namespace GoDocker.IntegrationTests;

/// <summary>`godocker health` names the servers sharing the database and which one leads (embedded mode: this one, alone).</summary>
public sealed class ServersHealthTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Health_ListsThisServer_AsTheLeader()
    {
        var health = await fixture.Server.Api.HealthAsync();

        var server = Assert.Single(health.Servers);
        Assert.True(server.Leads);
        Assert.True(server.Answering);
        Assert.Equal(server.Id, health.Leader);
        Assert.Equal(fixture.Server.BaseUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), server.Id.Split('/')[1]);
        Assert.True(DateTimeOffset.UtcNow - server.LastSeen < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task TheCli_ShowsTheLeader()
    {
        var result = await Cli.RunAsync(fixture.Server.BaseUrl, Path.GetTempPath(), "health");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("leader", result.Stdout, StringComparison.Ordinal);
    }
}
