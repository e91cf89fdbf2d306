using System.Data.Common;
using GoDocker.Jobs;
using GoDocker.Storage;
using static GoDocker.Storage.Tests.Contracts.SpecBuilder;

namespace GoDocker.Storage.Tests.Contracts;

/// <summary>Submits under an Idempotency-Key: a retried submit finds the first one's job instead of making a second.</summary>
public abstract class IdempotencyKeyContract(IJobStoreProvider provider) : JobStoreTest(provider)
{
    private static readonly IdempotencyKey Key = new("retry-1", "fingerprint-a");

    private async Task<KeyedSubmission> SubmitKeyedAsync(IdempotencyKey key, string owner = "alice") =>
        await Store.SubmitAsync([ASpec().Build()], array: false, owner, heldBy: null, key, Ct);

    private async Task<long> JobCountAsync() => (await Store.ListAsync(new JobQuery(), Ct)).Total;

    [Fact]
    public async Task SameKeyTwice_StoresOneJob_AndTheSecondFindsIt()
    {
        var first = await SubmitKeyedAsync(Key);
        var second = await SubmitKeyedAsync(Key);

        Assert.Equal(KeyedOutcome.Stored, first.Outcome);
        Assert.Equal(first.FirstJobId, Assert.Single(first.Stored).Id);
        Assert.Equal(new KeyedSubmission(KeyedOutcome.Replayed, first.FirstJobId), second with { Stored = [] });
        Assert.Empty(second.Stored);
        Assert.Equal(1, await JobCountAsync());
        Assert.Equal(KeyedOutcome.Replayed, (await Store.FindKeyAsync("alice", Key, Ct))!.Outcome);
    }

    [Fact]
    public async Task SameKey_WithAnotherBody_IsKeyReused_AndStoresNothing()
    {
        var first = await SubmitKeyedAsync(Key);

        var other = await SubmitKeyedAsync(Key with { Fingerprint = "fingerprint-b" });

        Assert.Equal(new KeyedSubmission(KeyedOutcome.KeyReused, first.FirstJobId), other);
        Assert.Equal(1, await JobCountAsync());
        Assert.Equal(KeyedOutcome.KeyReused, (await Store.FindKeyAsync("alice", Key with { Fingerprint = "fingerprint-b" }, Ct))!.Outcome);
    }

    [Fact]
    public async Task AKey_IsTheOwners_AnotherUsersSameKeyIsAnotherSubmit()
    {
        var alice = await SubmitKeyedAsync(Key, "alice");
        var bob = await SubmitKeyedAsync(Key, "bob");

        Assert.Equal((KeyedOutcome.Stored, KeyedOutcome.Stored), (alice.Outcome, bob.Outcome));
        Assert.NotEqual(alice.FirstJobId, bob.FirstJobId);
        Assert.Null(await Store.FindKeyAsync("carol", Key, Ct));
    }

    [Fact]
    public async Task ConcurrentSubmits_WithOneKey_StoreOneJob()
    {
        // Many at once land in the same group-commit batch and in the next ones: the key is seen either way.
        var all = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => SubmitKeyedAsync(Key)));

        var stored = Assert.Single(all, s => s.Outcome == KeyedOutcome.Stored);
        Assert.All(all, s => Assert.Equal(stored.FirstJobId, s.FirstJobId));
        Assert.Equal(1, await JobCountAsync());
    }

    [Fact]
    public async Task AnArray_UnderOneKey_IsStoredOnce()
    {
        var spec = ASpec().Build();
        ResolvedJobSpec[] tasks = [.. new[] { 1, 2, 3 }.Select(i => spec with { Task = new ArrayTask(i, 1, 3, 1, null) { Count = 3 } })];

        var first = await Store.SubmitAsync(tasks, array: true, "alice", null, Key, Ct);
        var again = await Store.SubmitAsync(tasks, array: true, "alice", null, Key, Ct);

        Assert.Equal(3, first.Stored.Count);
        Assert.All(first.Stored, t => Assert.Equal(first.FirstJobId, t.ArrayId));
        Assert.Equal(new KeyedSubmission(KeyedOutcome.Replayed, first.FirstJobId), again);
        Assert.Equal(3, await JobCountAsync());
    }

    [Fact]
    public async Task AKeyOlderThanADay_IsForgotten_AndMakesANewJob()
    {
        var first = await SubmitKeyedAsync(Key);
        Time.Advance(IdempotencyKey.Lifetime + TimeSpan.FromMinutes(1));

        Assert.Null(await Store.FindKeyAsync("alice", Key, Ct));
        var later = await SubmitKeyedAsync(Key);

        Assert.Equal(KeyedOutcome.Stored, later.Outcome);
        Assert.NotEqual(first.FirstJobId, later.FirstJobId);
        Assert.Equal(KeyedOutcome.Replayed, (await SubmitKeyedAsync(Key)).Outcome);
    }

    [Fact]
    public async Task AKeyThatCannotBeWritten_LeavesNoJob()
    {
        // The fault between the job and its key: the key's write fails. Were they two transactions, the job would stay,
        // and the client's retry would make a second one.
        await Provider.FailIdempotencyKeyWritesAsync();

        await Assert.ThrowsAnyAsync<DbException>(async () => await SubmitKeyedAsync(Key));
        await Assert.ThrowsAnyAsync<DbException>(async () =>
            await Store.SubmitAsync([ASpec().Build() with { Task = new ArrayTask(1, 1, 1, 1, null) }], array: true, "alice", null, Key, Ct));

        Assert.Equal(0, await JobCountAsync());
    }
}
