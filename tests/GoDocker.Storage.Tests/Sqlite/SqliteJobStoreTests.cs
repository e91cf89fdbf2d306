using GoDocker.Storage.Sqlite;
using GoDocker.Storage.Tests.Contracts;
using Microsoft.Data.Sqlite;

namespace GoDocker.Storage.Tests.Sqlite;

/// <summary>A SQLite file in a fresh temp folder.</summary>
public sealed class SqliteJobStoreProvider : IJobStoreProvider
{
    private readonly TempDirectory directory = new();

    private string DatabasePath => directory.Combine("godocker.db");

    public async Task<IJobStore> OpenAsync(TimeProvider time) => await SqliteJobStore.OpenAsync(DatabasePath, time, CancellationToken.None);

    public async Task CloseAsync(IJobStore store) => await ((SqliteJobStore)store).DisposeAsync();

    public async Task<string> GetOrCreateMetaAsync(IJobStore store, string key, Func<string> create) =>
        await ((SqliteJobStore)store).GetOrCreateMetaAsync(key, create, CancellationToken.None);

    public async Task<INotificationStore> OpenNotificationsAsync() => await SqliteNotificationStore.OpenAsync(DatabasePath, CancellationToken.None);

    public async Task FailIdempotencyKeyWritesAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var trigger = connection.CreateCommand();
        trigger.CommandText = "CREATE TRIGGER keys_fail BEFORE INSERT ON idempotency_keys BEGIN SELECT RAISE(ABORT, 'disk full'); END;";
        await trigger.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync()
    {
        // The store's readers are pooled per file; let go of them before the folder goes.
        // (Clearing other tests' pools is harmless: connections in use are closed when returned.)
        SqliteConnection.ClearAllPools();
        directory.Dispose();
        return ValueTask.CompletedTask;
    }
}

public sealed class SubmitAndQueryTests() : SubmitAndQueryContract(new SqliteJobStoreProvider());

public sealed class TransitionTests() : TransitionContract(new SqliteJobStoreProvider());

public sealed class RequestStopTests() : RequestStopContract(new SqliteJobStoreProvider());

public sealed class SchedulingStoreTests() : SchedulingStoreContract(new SqliteJobStoreProvider());

public sealed class ApplyPlanTests() : ApplyPlanContract(new SqliteJobStoreProvider());

public sealed class IdempotencyKeyTests() : IdempotencyKeyContract(new SqliteJobStoreProvider());

public sealed class DurabilityTests() : DurabilityContract(new SqliteJobStoreProvider());

public sealed class SchedulingChangesTests() : SchedulingChangesContract(new SqliteJobStoreProvider());

public sealed class AccountingTests() : AccountingContract(new SqliteJobStoreProvider());

public sealed class ListOrderTests() : ListOrderContract(new SqliteJobStoreProvider());

public sealed class NotificationStoreTests() : NotificationStoreContract(new SqliteJobStoreProvider());
