namespace GoDocker.Storage.Tests.Contracts;

/// <summary>What every <see cref="IServerRegistry"/> does, run against each (in-process, PostgreSQL) by a subclass.</summary>
public abstract class ServerRegistryContract : IAsyncLifetime
{
    protected static readonly CancellationToken Ct = CancellationToken.None;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    protected abstract Task<IServerRegistry> OpenRegistryAsync();

    /// <summary>Lets the registry's clock move on (a few milliseconds at least).</summary>
    protected abstract Task PassTimeAsync();

    [Fact]
    public async Task RegisteredServers_AreListedById_AndAHeartbeatMovesOnlyLastSeen()
    {
        var registry = await OpenRegistryAsync();
        var b = await registry.RegisterAsync("server-b", "http://10.0.0.2:8080", Ct);
        var a = await registry.RegisterAsync("server-a", "http://10.0.0.1:8080", Ct);
        Assert.Equal(a.StartedAt, a.LastSeen);

        await PassTimeAsync();
        Assert.True(await registry.HeartbeatAsync("server-a", Ct));
        var listed = await registry.ListAsync(Ct);

        Assert.Equal(["server-a", "server-b"], listed.Select(s => s.Id));
        Assert.Equal((a.Address, a.StartedAt), (listed[0].Address, listed[0].StartedAt));
        Assert.True(listed[0].LastSeen > a.LastSeen);
        Assert.Equal(b, listed[1]);
    }

    [Fact]
    public async Task RegisteringAgain_IsANewRun_AndUnregister_Forgets()
    {
        var registry = await OpenRegistryAsync();
        var first = await registry.RegisterAsync("server-a", "http://10.0.0.1:8080", Ct);
        await PassTimeAsync();

        var second = await registry.RegisterAsync("server-a", "http://10.0.0.9:8080", Ct);

        Assert.True(second.StartedAt > first.StartedAt);
        Assert.Equal([second], await registry.ListAsync(Ct));
        Assert.True(await registry.UnregisterAsync("server-a", Ct));
        Assert.False(await registry.UnregisterAsync("server-a", Ct));
        Assert.False(await registry.HeartbeatAsync("server-a", Ct));
        Assert.Empty(await registry.ListAsync(Ct));
    }
}
