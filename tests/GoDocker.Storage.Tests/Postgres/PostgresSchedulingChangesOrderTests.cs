using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Storage.Postgres;
using Microsoft.Extensions.Time.Testing;
using static GoDocker.Storage.Tests.Contracts.SpecBuilder;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>
/// PostgreSQL commits transactions in another order than it numbers them: a change read must not skip a job that a
/// transaction begun earlier commits after a later one was read (as another server's write, still open, would).
/// </summary>
public sealed class PostgresSchedulingChangesOrderTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TimeSpan Window = TimeSpan.FromDays(30);
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private TestDatabase database = null!;
    private PostgresJobStore store = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        store = await PostgresJobStore.OpenAsync(database.DataSource, time, Ct);
    }

    public async Task DisposeAsync()
    {
        await store.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task AChangeCommittedAfterALaterOneWasRead_IsInTheNextDelta()
    {
        var first = await store.SubmitAsync(ASpec().Build(), "alice", Ct);
        var index = new PendingIndex();
        index.Apply(await store.ReadSchedulingChangesAsync(null, Window, Ct));

        // Another writer's transaction takes its number first and stays open...
        await using var other = await database.DataSource.OpenConnectionAsync(Ct);
        await using var open = await other.BeginTransactionAsync(Ct);
        await using (var hold = other.CreateCommand())
        {
            hold.Transaction = open;
            hold.CommandText = $"UPDATE jobs SET held_by = 'admin', version = version + 1 WHERE id = {first.Id}";
            await hold.ExecuteNonQueryAsync(Ct);
        }
        // ...while a later one commits and is read.
        var second = await store.SubmitAsync(ASpec().Build(), "bob", Ct);
        index.Apply(await store.ReadSchedulingChangesAsync(index.Mark, Window, Ct));
        Assert.Equal([first.Id, second.Id], index.Input.Pending.Select(p => p.Id));
        Assert.Null(index.Input.Pending[0].HeldBy);

        await open.CommitAsync(Ct);
        index.Apply(await store.ReadSchedulingChangesAsync(index.Mark, Window, Ct));

        Assert.Equal("admin", index.Input.Pending[0].HeldBy);
        Assert.Equal(first.Version + 1, index.Input.Pending[0].Version);
    }

    [Fact]
    public async Task ARolledBackChange_IsNeverSeen()
    {
        var first = await store.SubmitAsync(ASpec().Build(), "alice", Ct);
        var index = new PendingIndex();
        index.Apply(await store.ReadSchedulingChangesAsync(null, Window, Ct));
        await using (var other = await database.DataSource.OpenConnectionAsync(Ct))
        await using (var open = await other.BeginTransactionAsync(Ct))
        {
            await using var kill = other.CreateCommand();
            kill.Transaction = open;
            kill.CommandText = $"UPDATE jobs SET state = 'Killed', version = version + 1 WHERE id = {first.Id}";
            await kill.ExecuteNonQueryAsync(Ct);
            await open.RollbackAsync(Ct);
        }

        index.Apply(await store.ReadSchedulingChangesAsync(index.Mark, Window, Ct));

        Assert.Equal(JobState.Pending, (await store.GetAsync(first.Id, Ct))!.State);
        Assert.Equal([first.Id], index.Input.Pending.Select(p => p.Id));
    }
}
