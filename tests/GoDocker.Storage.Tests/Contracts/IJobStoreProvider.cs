namespace GoDocker.Storage.Tests.Contracts;

/// <summary>One kind of job store for the contracts: opens it on a database of its own, made fresh for each test class instance.</summary>
public interface IJobStoreProvider : IAsyncDisposable
{
    /// <summary>Opens a store on this provider's database: empty the first time, as the last store left it after.</summary>
    Task<IJobStore> OpenAsync(TimeProvider time);

    /// <summary>Closes a store <see cref="OpenAsync"/> opened (the database stays).</summary>
    Task CloseAsync(IJobStore store);

    /// <summary>The store's kept value under <paramref name="key"/> (its GetOrCreateMetaAsync, which is no part of <see cref="IJobStore"/>).</summary>
    Task<string> GetOrCreateMetaAsync(IJobStore store, string key, Func<string> create);

    /// <summary>The notification outbox and webhooks on this provider's database (open a job store first).</summary>
    Task<INotificationStore> OpenNotificationsAsync();

    /// <summary>Makes every later write of an idempotency key fail in the database, as a full disk would.</summary>
    Task FailIdempotencyKeyWritesAsync();
}
