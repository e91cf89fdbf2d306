using System.Collections.Concurrent;
using System.Diagnostics;
using GoDocker.Jobs;
using GoDocker.Scheduling;
using GoDocker.Storage.Postgres;
using GoDocker.Storage.Tests.Contracts;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit.Abstractions;
using static GoDocker.Storage.Tests.Contracts.SpecBuilder;

namespace GoDocker.Storage.Tests.Postgres;

/// <summary>
/// Several servers on one database: each store here has its own data source (its own pool), as a server would, and
/// they write the same rows at the same time.
/// </summary>
public sealed class PostgresJobStoreConcurrencyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long GiB = 1L << 30;
    private static readonly CancellationToken Ct = CancellationToken.None;
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly List<PostgresJobStore> stores = [];
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }
        await database.DisposeAsync();
    }

    private async Task<PostgresJobStore> ServerAsync(string name)
    {
        var store = await PostgresJobStore.OpenAsync(database.OpenDataSource(name), time, Ct);
        stores.Add(store);
        return store;
    }

    private static Placement Place(Job job, string node) => new(job.Id, job.Version, node, job.Spec.Resources);

    private static Plan PlanOf(IEnumerable<Placement> placements) => new([.. placements], new Dictionary<long, string>());

    [Fact]
    public async Task ConflictingPlans_ForOneNode_FromTwoServers_NeverOverCommitIt()
    {
        var (a, b) = (await ServerAsync("server-a"), await ServerAsync("server-b"));
        IReadOnlyList<NodeInfo> nodes = [new("n1", new Resources(4, 16 * GiB, 0))];
        for (var round = 0; round < 15; round++)
        {
            // Each plan alone fits the node exactly; both together would hold twice its cpus.
            var jobs = new List<Job>();
            for (var i = 0; i < 8; i++)
            {
                jobs.Add(await a.SubmitAsync(ASpec().Cpus(1).Build(), "alice", Ct));
            }
            var fromA = PlanOf(jobs.Take(4).Select(j => Place(j, "n1")));
            var fromB = PlanOf(jobs.Skip(4).Select(j => Place(j, "n1")));

            var applied = await Task.WhenAll(Task.Run(() => a.ApplyPlanAsync(fromA, nodes, Ct).AsTask()), Task.Run(() => b.ApplyPlanAsync(fromB, nodes, Ct).AsTask()));

            Assert.Equal(4, applied.Sum(p => p.Count));
            var held = (await a.ReadSchedulingInputAsync(Ct)).UsageByNode["n1"];
            Assert.Equal(4, held.Cpus);
            foreach (var active in await b.ListActiveAsync(Ct))
            {
                await b.RequestStopAsync(active.Id, new StopRequest(JobState.Killed, "round over", time.GetUtcNow()), Ct);
            }
        }
    }

    [Fact]
    public async Task TwoServers_EndingOneJobAtOnce_OneWins_TheOtherIsRefused_NeverALostUpdate()
    {
        var (a, b) = (await ServerAsync("server-a"), await ServerAsync("server-b"));
        IReadOnlyList<NodeInfo> nodes = [new("n1", new Resources(64, 256 * GiB, 0))];
        for (var round = 0; round < 20; round++)
        {
            var job = await a.SubmitAsync(ASpec().Build(), "alice", Ct);
            var placed = Assert.Single(await a.ApplyPlanAsync(PlanOf([Place(job, "n1")]), nodes, Ct));
            job = (await a.GetAsync(placed.JobId, Ct))!;
            job = await a.TransitionAsync(new JobChange(job.Id, job.Version, JobState.Running, "started", "started")
            {
                ContainerId = "c", StartedAt = time.GetUtcNow(),
            }, Ct);

            var outcomes = await Task.WhenAll(
                Task.Run(() => EndAsync(a, job, JobState.Succeeded)),
                Task.Run(() => EndAsync(b, job, JobState.Failed)));

            var winner = Assert.Single(outcomes, o => o.Ended is not null).Ended!;
            Assert.IsType<JobVersionConflictException>(Assert.Single(outcomes, o => o.Refused is not null).Refused);
            var stored = (await b.GetAsync(job.Id, Ct))!;
            Assert.Equal((winner.State, winner.Version), (stored.State, stored.Version));
            var ends = (await a.GetEventsAsync(job.Id, Ct)).Where(e => e.Kind is "Succeeded" or "Failed").ToList();
            Assert.Equal([winner.State.ToString()], ends.Select(e => e.Kind));
        }
        // Each attempt was charged once: one usage record per job.
        await using var count = database.DataSource.CreateCommand("SELECT COUNT(*), COUNT(DISTINCT job_id) FROM usage_records");
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((20L, 20L), (reader.GetInt64(0), reader.GetInt64(1)));
    }

    private static async Task<(Job? Ended, Exception? Refused)> EndAsync(PostgresJobStore store, Job job, JobState to)
    {
        try
        {
            return (await store.TransitionAsync(new JobChange(job.Id, job.Version, to, to.ToString(), $"ended {to}")
            {
                ExitCode = to == JobState.Succeeded ? 0 : 1,
            }, Ct), null);
        }
        catch (Exception e) when (e is JobVersionConflictException or IllegalTransitionException)
        {
            return (null, e);
        }
    }

    [Fact]
    public async Task ChangesFromTwoServers_ToOneJob_AreBothKept()
    {
        var (a, b) = (await ServerAsync("server-a"), await ServerAsync("server-b"));
        for (var round = 0; round < 20; round++)
        {
            var job = await a.SubmitAsync(ASpec().Build(), "alice", Ct);

            // Neither carries a version: each reads the row as the other left it, so neither overwrites the other.
            await Task.WhenAll(
                Task.Run(() => a.SetPriorityAdjustmentAsync(job.Id, 10 + round, "admin", Ct).AsTask()),
                Task.Run(() => b.SetHoldAsync(job.Id, "admin", "admin", Ct).AsTask()));

            var stored = (await a.GetAsync(job.Id, Ct))!;
            Assert.Equal((10 + round, "admin", 3L), (stored.PriorityAdjustment, stored.HeldBy, stored.Version));
        }
    }

    [Fact]
    public async Task APlan_WithAStaleLeaseToken_IsRefused_AndChangesNothing()
    {
        var dataSource = database.OpenDataSource("leases");
        var oldLeader = await PostgresLeaderLease.OpenAsync(dataSource, "scheduler", "server-a", TimeSpan.FromMinutes(5), Ct);
        var newLeader = await PostgresLeaderLease.OpenAsync(dataSource, "scheduler", "server-b", TimeSpan.FromMinutes(5), Ct);
        var store = await ServerAsync("server-a");
        var stale = (await oldLeader.TryAcquireAsync(Ct))!;
        // server-a pauses; its lease ends and server-b takes over with a greater token.
        await oldLeader.ReleaseAsync(stale, Ct);
        var current = (await newLeader.TryAcquireAsync(Ct))!;
        var job = await store.SubmitAsync(ASpec().Build(), "alice", Ct);
        var rejectedJob = await store.SubmitAsync(ASpec().Build(), "alice", Ct);
        var plan = PlanOf([Place(job, "n1")]) with
        {
            Rejections = new Dictionary<long, string> { [rejectedJob.Id] = "never fits" },
        };
        IReadOnlyList<NodeInfo> nodes = [new("n1", new Resources(4, 16 * GiB, 0))];

        var refused = await Assert.ThrowsAsync<LeaseLostException>(async () => await store.ApplyPlanAsync(plan, nodes, stale, Ct));

        Assert.Equal(stale, refused.Lease);
        Assert.Equal(job with { Spec = null! }, (await store.GetAsync(job.Id, Ct))! with { Spec = null! });
        Assert.Equal(JobState.Pending, (await store.GetAsync(rejectedJob.Id, Ct))!.State);
        Assert.Equal(["submitted"], (await store.GetEventsAsync(job.Id, Ct)).Select(e => e.Kind));
        Assert.True(current.Token > stale.Token);
        Assert.Single(await store.ApplyPlanAsync(plan, nodes, current, Ct));
        Assert.Equal(JobState.Rejected, (await store.GetAsync(rejectedJob.Id, Ct))!.State);
    }

    [Fact]
    public async Task APlanWithMoreReasonsThanOneStatementTakes_WritesThemAll_InBatches()
    {
        var store = await ServerAsync("server-a");
        store.PendingRowsPerStatement = 3;
        var jobs = new List<Job>();
        for (var i = 0; i < 9; i++)
        {
            jobs.Add(await store.SubmitAsync(ASpec().Build(), "alice", Ct));
        }
        var at = time.GetUtcNow().AddHours(1);
        // Job 0 placed; 1 an expected start alone (its reason stays); 2..8 a reason each, 8 with an expected start: 8 rows, 3 batches.
        var plan = PlanOf([Place(jobs[0], "n1")]) with
        {
            PendingReasons = jobs.Skip(2).ToDictionary(j => j.Id, j => $"waiting: {j.Id}"),
            ExpectedStarts = new Dictionary<long, DateTimeOffset> { [jobs[1].Id] = at, [jobs[8].Id] = at.AddHours(1) },
        };

        var applied = await store.ApplyPlanAsync(plan, [new("n1", new Resources(4, 16 * GiB, 0))], Ct);

        Assert.Equal([jobs[0].Id], applied.Select(a => a.JobId));
        var stored = new List<Job>();
        foreach (var job in jobs)
        {
            stored.Add((await store.GetAsync(job.Id, Ct))!);
        }
        Assert.Equal(JobState.Scheduled, stored[0].State);
        Assert.Equal((jobs[1].Reason, at), (stored[1].Reason, stored[1].ExpectedStart));
        Assert.Equal(jobs.Skip(2).Select(j => $"waiting: {j.Id}"), stored.Skip(2).Select(j => j.Reason));
        Assert.Equal(at.AddHours(1), stored[8].ExpectedStart);
        Assert.All(stored.Skip(2).SkipLast(1), j => Assert.Null(j.ExpectedStart));
    }

    [Fact]
    public async Task APlansBatchesOfReasons_WithAStaleLeaseToken_AreRefused_AndWriteNothing()
    {
        var dataSource = database.OpenDataSource("leases");
        var oldLeader = await PostgresLeaderLease.OpenAsync(dataSource, "scheduler", "server-a", TimeSpan.FromMinutes(5), Ct);
        var newLeader = await PostgresLeaderLease.OpenAsync(dataSource, "scheduler", "server-b", TimeSpan.FromMinutes(5), Ct);
        var store = await ServerAsync("server-a");
        store.PendingRowsPerStatement = 3;
        var stale = (await oldLeader.TryAcquireAsync(Ct))!;
        await oldLeader.ReleaseAsync(stale, Ct);
        Assert.NotNull(await newLeader.TryAcquireAsync(Ct));
        var jobs = new List<Job>();
        for (var i = 0; i < 7; i++)
        {
            jobs.Add(await store.SubmitAsync(ASpec().Build(), "alice", Ct));
        }
        var plan = PlanOf([]) with { PendingReasons = jobs.ToDictionary(j => j.Id, _ => "waiting: stale") };

        await Assert.ThrowsAsync<LeaseLostException>(async () => await store.ApplyPlanAsync(plan, [], stale, Ct));

        foreach (var job in jobs)
        {
            Assert.NotEqual("waiting: stale", (await store.GetAsync(job.Id, Ct))!.Reason);
        }
    }

    [Fact]
    public async Task ConcurrentSubmits_FromTwoServers_GetDistinctIds_AndArraysTheirArrayIdAtInsert()
    {
        var (a, b) = (await ServerAsync("server-a"), await ServerAsync("server-b"));
        // Any UPDATE of a job fails from here on: an array id set after the insert would fail its submit.
        await using (var noUpdates = database.DataSource.CreateCommand(
            """
            CREATE FUNCTION no_job_updates() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'jobs are not updated while submitting'; END $$;
            CREATE TRIGGER no_job_updates BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION no_job_updates();
            """))
        {
            await noUpdates.ExecuteNonQueryAsync();
        }
        const int WritersEach = 8;
        const int JobsEach = 150;
        var ids = new ConcurrentBag<long>();
        var arrays = new ConcurrentBag<IReadOnlyList<Job>>();
        var spec = ASpec().Build();
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(new[] { a, b }.SelectMany(store => Enumerable.Range(0, WritersEach).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < JobsEach; i++)
            {
                ids.Add((await store.SubmitAsync(spec, $"user{w}", Ct)).Id);
                if (i % 50 == 0)
                {
                    arrays.Add(await store.SubmitArrayAsync(
                        [.. Enumerable.Range(1, 5).Select(t => spec with { Task = new ArrayTask(t, 1, 5, 1, null) { Count = 5 } })], $"user{w}", null, Ct));
                }
            }
        }))));
        var elapsed = clock.Elapsed;

        var tasks = arrays.SelectMany(t => t).ToList();
        var all = await a.ListAsync(new JobQuery { Limit = 100_000 }, Ct);
        Assert.Equal(2 * WritersEach * JobsEach + tasks.Count, all.Total);
        Assert.Equal(all.Total, ids.Concat(tasks.Select(t => t.Id)).Distinct().Count());
        Assert.All(arrays, array =>
        {
            Assert.All(array, t => Assert.Equal(array[0].Id, t.ArrayId));
            Assert.True(array.Select(t => t.Id).SequenceEqual(array.Select(t => t.Id).Order()), "tasks in order");
        });
        foreach (var array in arrays)
        {
            var stored = await b.ListAsync(new JobQuery { ArrayId = array[0].Id }, Ct);
            Assert.Equal(array.Select(t => t.Id), stored.Items.Select(t => t.Id));
        }
        output.WriteLine($"{ids.Count} submits (+{arrays.Count} arrays of 5) from 2 stores × {WritersEach} writers in {elapsed.TotalSeconds:F2} s: "
            + $"{ids.Count / elapsed.TotalSeconds:F0} single submits/s");
    }

    [Fact]
    public async Task OneIdempotencyKey_SentToTwoServersAtOnce_StoresOneJob()
    {
        var (a, b) = (await ServerAsync("server-a"), await ServerAsync("server-b"));
        var keys = Enumerable.Range(0, 30).Select(i => new IdempotencyKey($"retry-{i}", $"fingerprint-{i}")).ToList();
        var spec = ASpec().Build();

        // Each server gets every key, in opposite orders, many at once: its batches hold several keys the other's hold too.
        var fromA = keys.Select(k => Task.Run(() => a.SubmitAsync([spec], array: false, "alice", null, k, Ct).AsTask()));
        var fromB = Enumerable.Reverse(keys).Select(k => Task.Run(() => b.SubmitAsync([spec], array: false, "alice", null, k, Ct).AsTask()));
        var outcomes = await Task.WhenAll(fromA.Concat(fromB));

        Assert.Equal(keys.Count, outcomes.Count(o => o.Outcome == KeyedOutcome.Stored));
        Assert.Equal(keys.Count, outcomes.Count(o => o.Outcome == KeyedOutcome.Replayed));
        Assert.Equal(keys.Count, outcomes.Select(o => o.FirstJobId).Distinct().Count());
        Assert.Equal(keys.Count, (await a.ListAsync(new JobQuery(), Ct)).Total);
    }

    [Fact]
    public async Task TheInstanceId_IsOne_ForEveryServerOnTheDatabase()
    {
        var servers = new[] { await ServerAsync("server-a"), await ServerAsync("server-b"), await ServerAsync("server-c") };

        var ids = await Task.WhenAll(servers.Select(s => Task.Run(() => s.GetOrCreateMetaAsync("instance-id", () => Guid.NewGuid().ToString("N"), Ct))));

        Assert.Single(ids.Distinct());
    }

    [Fact]
    public async Task AFullDisk_IsAStoreFullException_AndTheFaultClearsOnTheNextWrite()
    {
        var store = await ServerAsync("server-a");
        await using (var fail = database.DataSource.CreateCommand(
            """
            CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$;
            CREATE TRIGGER disk_full BEFORE INSERT ON job_events FOR EACH ROW EXECUTE FUNCTION disk_full();
            """))
        {
            await fail.ExecuteNonQueryAsync();
        }

        await Assert.ThrowsAsync<StoreFullException>(async () => await store.SubmitAsync(ASpec().Build(), "alice", Ct));
        Assert.StartsWith("disk full:", store.WriteFault);

        await using (var free = database.DataSource.CreateCommand("DROP TRIGGER disk_full ON job_events"))
        {
            await free.ExecuteNonQueryAsync();
        }
        await store.SubmitAsync(ASpec().Build(), "alice", Ct);
        Assert.Null(store.WriteFault);
        Assert.Equal(1, (await store.ListAsync(new JobQuery(), Ct)).Total);
    }
}
