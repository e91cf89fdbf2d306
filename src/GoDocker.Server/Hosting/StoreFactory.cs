using GoDocker.Access;
using GoDocker.Server.Configuration;
using GoDocker.Storage;
using GoDocker.Storage.Postgres;
using GoDocker.Storage.Sqlite;
using Npgsql;

namespace GoDocker.Server.Hosting;

/// <summary>
/// The stores the server runs on, chosen by Store:Provider: the SQLite file in Server:DataDir (the default, one server),
/// or the PostgreSQL of Store:ConnectionString through one data source (one pool), which several servers can share.
/// </summary>
internal sealed class Stores : IAsyncDisposable
{
    private readonly IReadOnlyList<IAsyncDisposable> owned;

    public Stores(IJobStore jobs, IAccountStore accounts, INodeStateStore nodeStates, string instanceId, NpgsqlDataSource? database, IReadOnlyList<IAsyncDisposable> owned)
    {
        Jobs = jobs;
        Accounts = accounts;
        NodeStates = nodeStates;
        InstanceId = instanceId;
        Database = database;
        this.owned = owned;
    }

    public IJobStore Jobs { get; }
    public IAccountStore Accounts { get; }
    public INodeStateStore NodeStates { get; }

    /// <summary>The kept usage series of jobs' attempts.</summary>
    public required IUsageStore Usage { get; init; }

    /// <summary>The notification outbox and users' webhooks.</summary>
    public required INotificationStore Notifications { get; init; }

    /// <summary>A random secret kept in the store, which users' webhook keys derive from when the site names no Notifications:WebhookSecretFile.</summary>
    public required string StoredWebhookSecret { get; init; }

    /// <summary>Labels this GoDocker's containers (a second GoDocker on the same engine never touches them); one for every server on a database.</summary>
    public string InstanceId { get; }

    /// <summary>The PostgreSQL data source, for what else several servers share through it (leases, wake-ups); null on SQLite.</summary>
    public NpgsqlDataSource? Database { get; }

    /// <summary>Closes the stores (the job store writes the submits it has queued first), then the data source.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var store in owned)
        {
            await store.DisposeAsync();
        }
    }
}

internal static class StoreFactory
{
    /// <summary>The name of the SQLite file in Server:DataDir.</summary>
    public const string SqliteFileName = "godocker.db";

    /// <summary>The stores; null when the PostgreSQL database cannot be opened, said on <paramref name="log"/> (without the password).</summary>
    public static async Task<Stores?> OpenAsync(GoDockerOptions settings, TimeProvider time, TextWriter log, CancellationToken cancellationToken)
    {
        if (settings.Store.Provider == StoreProvider.Postgres)
        {
            var database = new NpgsqlDataSourceBuilder(settings.Store.ConnectionString) { Name = "godocker" }.Build();
            try
            {
                return await OpenPostgresAsync(settings, database, time, cancellationToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                var at = new NpgsqlConnectionStringBuilder(settings.Store.ConnectionString);
                await log.WriteLineAsync($"cannot open the PostgreSQL store at {at.Host}:{at.Port}, database {at.Database}, as {at.Username}: {e.Message}");
                await database.DisposeAsync();
                return null;
            }
        }
        var path = Path.Combine(settings.Server.DataDir, SqliteFileName);
        var store = await SqliteJobStore.OpenAsync(path, time, cancellationToken);
        store.UsageHalfLife = settings.Scheduler.FairShare.HalfLife;
        var sqliteAccounts = await SqliteAccountStore.OpenAsync(path, time, cancellationToken);
        var sqliteNodeStates = await SqliteNodeStateStore.OpenAsync(path, cancellationToken);
        var sqliteUsage = await SqliteUsageStore.OpenAsync(path, cancellationToken);
        var sqliteNotifications = await SqliteNotificationStore.OpenAsync(path, cancellationToken);
        var id = await store.GetOrCreateMetaAsync("instance-id", NewInstanceId, cancellationToken);
        var webhookSecret = await store.GetOrCreateMetaAsync("webhook-secret", NewSecret, cancellationToken);
        return new Stores(store, sqliteAccounts, sqliteNodeStates, id, database: null, [store, sqliteAccounts])
        {
            Usage = sqliteUsage,
            Notifications = sqliteNotifications,
            StoredWebhookSecret = webhookSecret,
        };
    }

    private static async Task<Stores> OpenPostgresAsync(GoDockerOptions settings, NpgsqlDataSource database, TimeProvider time, CancellationToken cancellationToken)
    {
        var jobs = await PostgresJobStore.OpenAsync(database, time, cancellationToken);
        jobs.UsageHalfLife = settings.Scheduler.FairShare.HalfLife;
        var accounts = await PostgresAccountStore.OpenAsync(database, time, cancellationToken);
        var nodeStates = await PostgresNodeStateStore.OpenAsync(database, cancellationToken);
        var usage = await PostgresUsageStore.OpenAsync(database, cancellationToken);
        var notifications = await PostgresNotificationStore.OpenAsync(database, cancellationToken);
        var instanceId = await jobs.GetOrCreateMetaAsync("instance-id", NewInstanceId, cancellationToken);
        var webhookSecret = await jobs.GetOrCreateMetaAsync("webhook-secret", NewSecret, cancellationToken);
        return new Stores(jobs, accounts, nodeStates, instanceId, database, [jobs, database])
        {
            Usage = usage,
            Notifications = notifications,
            StoredWebhookSecret = webhookSecret,
        };
    }

    private static string NewInstanceId() => Guid.NewGuid().ToString("N")[..12];

    private static string NewSecret() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// What is wrong with Store:ConnectionString for the provider, or null. The problem never quotes the string, which
    /// holds a password.
    /// </summary>
    public static string? ConnectionStringProblem(StoreOptions store)
    {
        if (store.Provider != StoreProvider.Postgres)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(store.ConnectionString))
        {
            return "Store:ConnectionString: is missing: Store:Provider postgres needs one (Host=…;Port=…;Database=…;Username=…;Password=…)";
        }
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(store.ConnectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            return "Store:ConnectionString: is not a PostgreSQL connection string (Host=…;Port=…;Database=…;Username=…;Password=…)";
        }
        return string.IsNullOrWhiteSpace(parsed.Host) ? "Store:ConnectionString: names no Host" : null;
    }
}
