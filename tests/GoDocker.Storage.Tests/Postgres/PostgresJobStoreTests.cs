using GoDocker.Storage.Postgres;
using GoDocker.Storage.Tests.Contracts;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>A fresh PostgreSQL database (made at the first open, dropped on dispose); a reopen is a new store on the same database.</summary>
public sealed class PostgresJobStoreProvider : IJobStoreProvider
{
    private TestDatabase? database;

    public async Task<IJobStore> OpenAsync(TimeProvider time)
    {
        database ??= await TestDatabase.CreateAsync();
        return await PostgresJobStore.OpenAsync(database.DataSource, time, CancellationToken.None);
    }

    public async Task CloseAsync(IJobStore store) => await ((PostgresJobStore)store).DisposeAsync();

    public async Task<string> GetOrCreateMetaAsync(IJobStore store, string key, Func<string> create) =>
        await ((PostgresJobStore)store).GetOrCreateMetaAsync(key, create, CancellationToken.None);

    public async Task<INotificationStore> OpenNotificationsAsync() => await PostgresNotificationStore.OpenAsync(database!.DataSource, CancellationToken.None);

    public async Task FailIdempotencyKeyWritesAsync()
    {
        await using var command = database!.DataSource.CreateCommand(
            """
            CREATE FUNCTION keys_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$;
            CREATE TRIGGER keys_fail BEFORE INSERT ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION keys_fail();
            """);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}

public sealed class PostgresSubmitAndQueryTests() : SubmitAndQueryContract(new PostgresJobStoreProvider());

public sealed class PostgresTransitionTests() : TransitionContract(new PostgresJobStoreProvider());

public sealed class PostgresRequestStopTests() : RequestStopContract(new PostgresJobStoreProvider());

public sealed class PostgresSchedulingStoreTests() : SchedulingStoreContract(new PostgresJobStoreProvider());

public sealed class PostgresApplyPlanTests() : ApplyPlanContract(new PostgresJobStoreProvider());

public sealed class PostgresIdempotencyKeyTests() : IdempotencyKeyContract(new PostgresJobStoreProvider());

public sealed class PostgresDurabilityTests() : DurabilityContract(new PostgresJobStoreProvider());

public sealed class PostgresSchedulingChangesTests() : SchedulingChangesContract(new PostgresJobStoreProvider());

public sealed class PostgresAccountingTests() : AccountingContract(new PostgresJobStoreProvider());

public sealed class PostgresListOrderTests() : ListOrderContract(new PostgresJobStoreProvider());

public sealed class PostgresNotificationStoreTests() : NotificationStoreContract(new PostgresJobStoreProvider());
