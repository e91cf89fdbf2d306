using GoDocker.Storage.Leases;
using GoDocker.Storage.Tests.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace GoDocker.Storage.Tests.Leases;

/// <summary>The server registry contract in memory, on a fake clock.</summary>
public sealed class InProcessServerRegistryTests : ServerRegistryContract
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync() => Task.CompletedTask;

    protected override Task<IServerRegistry> OpenRegistryAsync() => Task.FromResult<IServerRegistry>(new InProcessServerRegistry(time));

    protected override Task PassTimeAsync()
    {
        time.Advance(TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }
}
