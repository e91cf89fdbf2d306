using GoDocker.Storage.Logins;
using GoDocker.Storage.Tests.Contracts;

namespace GoDocker.Storage.Tests.Logins;

/// <summary>The failed-logins contract in memory: one server, so every open is the same instance.</summary>
public sealed class InProcessLoginAttemptsTests : LoginAttemptsContract
{
    private readonly InProcessLoginAttempts attempts = new();

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync() => Task.CompletedTask;

    protected override Task<ILoginAttempts> OpenAsync() => Task.FromResult<ILoginAttempts>(attempts);
}
