namespace GoDocker.IntegrationTests.Infrastructure;

/// <summary>One server per test class (classes run in parallel, each against its own server and data dir).</summary>
public class ServerFixture : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;
    public GoDockerApi Api => Server.Api;

    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    public async Task InitializeAsync() => Server = await ServerProcess.StartAsync(Settings);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
