using System.Net;
using System.Net.Sockets;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>
/// A PostgreSQL of a test class's own, started by scripts/postgres.sh in a temp folder on a free port, for tests
/// that stop and restart it (the shared one must not go away under the other tests). Stopped and removed on dispose.
/// </summary>
public sealed class OwnPostgresCluster : IAsyncLifetime
{
    private readonly TempDirectory directory = new();

    public string Folder => directory.Path;
    public int Port { get; } = FreePort();
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await PostgresScript.RunAsync("start", Folder, Port.ToString());

    public async Task DisposeAsync()
    {
        await PostgresScript.RunAsync("stop", Folder);
        directory.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
