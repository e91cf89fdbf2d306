using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Usage;

namespace GoDocker.Storage.Tests.Contracts;

/// <summary>
/// Accounting records: kept by the change that ends an attempt (or a job), in its transaction, exactly once, read back
/// whole, filtered, paged and limited to what a caller may see.
/// </summary>
public abstract class AccountingContract(IJobStoreProvider provider) : JobStoreTest(provider)
{
    private static readonly MeasuredUsage Measured = new(CpuSeconds: 12.5, MaxRssBytes: 210L << 20, MaxPids: 9, BlockReadBytes: 4096,
        BlockWriteBytes: 8192, NetworkReceivedBytes: 100, NetworkSentBytes: 200, Samples: 6, LastSampleAt: Start.AddSeconds(29));

    private async Task<Job> EndAsync(Job job, JobState to, EndCause cause, string reason, int? exitCode = null, MeasuredUsage? measured = null,
        ChargeBasis basis = ChargeBasis.Allocated) =>
        await Store.TransitionAsync(JobLifecycle.End(job, to, cause, reason, Time.GetUtcNow(), exitCode: exitCode) with { Measured = measured, ChargeBasis = basis }, Ct);

    private async Task<AccountingPage> ListAsync(AccountingQuery? query = null) => await Store.ListAccountingAsync(query ?? new AccountingQuery(), Ct);

    [Fact]
    public async Task AnAttemptThatEnds_IsKeptWhole_WithWhatWasMeasured()
    {
        var job = await StartAsync(await ScheduleAsync(await SubmitAsync(SpecBuilder.ASpec().Name("sim").Cpus(2).Project("astro"), "bob"), "n2"));
        Time.Advance(TimeSpan.FromSeconds(30));

        await EndAsync(job, JobState.Failed, EndCause.Exited, "exit code 3", exitCode: 3, measured: Measured);

        var page = await ListAsync();
        Assert.Equal(1, page.Total);
        Assert.Equal(new AccountingRecord
        {
            JobId = job.Id, Name = "sim", Owner = "bob", Project = "astro", Attempt = 1, State = AccountedState.Failed, Cause = EndCause.Exited,
            Reason = "exit code 3", ExitCode = 3, Node = "n2", SubmittedAt = Start, StartedAt = Start, EndedAt = Start.AddSeconds(30),
            Cpus = 2, MemoryBytes = GiB, Gpus = 0, Measured = Measured,
        }, Assert.Single(page.Items));
    }

    [Fact]
    public async Task NothingMeasured_IsKeptAsNothing()
    {
        var job = await JobInStateAsync(JobState.Running);
        Time.Advance(TimeSpan.FromSeconds(5));

        await EndAsync(job, JobState.Succeeded, EndCause.Exited, "exited 0", exitCode: 0);

        var record = Assert.Single((await ListAsync()).Items);
        Assert.Null(record.Measured);
        Assert.Equal(TimeSpan.FromSeconds(5), record.Elapsed);
    }

    [Fact]
    public async Task ARequeuedAttempt_AndTheNext_AreBothKept_InOrder()
    {
        var job = await JobInStateAsync(JobState.Running);
        Time.Advance(TimeSpan.FromSeconds(10));
        job = await EndAsync(job, JobState.Pending, EndCause.NodeDown, "requeued: node n1 down");
        job = await StartAsync(await ScheduleAsync(job, "n2"));
        Time.Advance(TimeSpan.FromSeconds(10));
        await EndAsync(job, JobState.Succeeded, EndCause.Exited, "exited 0", exitCode: 0);

        var records = (await ListAsync(new AccountingQuery { JobIds = [job.Id] })).Items;
        Assert.Equal([(1, AccountedState.Requeued, "n1"), (2, AccountedState.Succeeded, "n2")], records.Select(r => (r.Attempt, r.State, r.Node)));
    }

    [Fact]
    public async Task AJobKilledWhilePending_IsKept_WithNoStart()
    {
        var job = await SubmitAsync();
        Time.Advance(TimeSpan.FromSeconds(3));

        await Store.RequestStopAsync(job.Id, new StopRequest(JobState.Killed, "killed by alice", Time.GetUtcNow()), Ct);

        var record = Assert.Single((await ListAsync()).Items);
        Assert.Equal((AccountedState.Killed, EndCause.StopRequested, 0, (DateTimeOffset?)null, (string?)null, Start.AddSeconds(3)),
            (record.State, record.Cause, record.Attempt, record.StartedAt, record.Node, record.EndedAt));
    }

    [Fact]
    public async Task AnEndMadeTwice_IsKeptOnce()
    {
        var job = await JobInStateAsync(JobState.Running);
        await EndAsync(job, JobState.Succeeded, EndCause.Exited, "exited 0", exitCode: 0);

        // The second end was made against the version the first one changed: the store refuses it, whole.
        await Assert.ThrowsAsync<JobVersionConflictException>(() => EndAsync(job, JobState.Failed, EndCause.Lost, "lost"));

        Assert.Equal(1, (await ListAsync()).Total);
    }

    [Fact]
    public async Task AStartOrASuspend_KeepsNoRecord()
    {
        var job = await JobInStateAsync(JobState.Running);
        await MoveAsync(job, JobState.Suspended);

        Assert.Equal(0, (await ListAsync()).Total);
    }

    [Theory]
    [InlineData(ChargeBasis.Allocated, 60.0)]
    [InlineData(ChargeBasis.Measured, 12.5)]
    public async Task TheChargeOfTheAttempt_CountsTheSitesBasis(ChargeBasis basis, double cpuSeconds)
    {
        var job = await JobInStateAsync(JobState.Running, SpecBuilder.ASpec().Cpus(2));
        Time.Advance(TimeSpan.FromSeconds(30));

        await EndAsync(job, JobState.Succeeded, EndCause.Exited, "exited 0", exitCode: 0, measured: Measured, basis: basis);

        Assert.Equal(cpuSeconds, await Store.CpuSecondsSinceAsync(AccountKind.User, "alice", Start, Ct), 6);
    }

    /// <summary>
    /// alice: job 1 in astro succeeded at +10 s, job 2 in bio failed at +20 s; bob: job 3 in astro killed at +30 s, job 4 in
    /// geo succeeded at +40 s.
    /// </summary>
    private async Task<long[]> FourEndedJobsAsync()
    {
        var ids = new List<long>();
        foreach (var (owner, project, to) in new[]
        {
            ("alice", "astro", JobState.Succeeded), ("alice", "bio", JobState.Failed), ("bob", "astro", JobState.Killed), ("bob", "geo", JobState.Succeeded),
        })
        {
            var job = await StartAsync(await ScheduleAsync(await SubmitAsync(SpecBuilder.ASpec().Project(project), owner)));
            Time.Advance(TimeSpan.FromSeconds(10));
            await EndAsync(job, to, to == JobState.Killed ? EndCause.StopRequested : EndCause.Exited, $"{to}", exitCode: to == JobState.Failed ? 1 : 0);
            ids.Add(job.Id);
        }
        return [.. ids];
    }

    public static TheoryData<string, int[]> Filters() => new()
    {
        { "everything", [0, 1, 2, 3] },
        { "owner bob", [2, 3] },
        { "project astro", [0, 2] },
        { "state failed or killed", [1, 2] },
        { "jobs 2 and 4", [1, 3] },
        { "ended since +20 s", [1, 2, 3] },
        { "ended until +30 s", [0, 1] },
        { "ended from +20 s until +40 s", [1, 2] },
        { "visible to alice", [0, 1] },
        { "visible to bob, manager of bio", [1, 2, 3] },
        { "owner alice in project astro", [0] },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task EveryFilterGiven_MustMatch(string filter, int[] expected)
    {
        var ids = await FourEndedJobsAsync();
        var query = filter switch
        {
            "everything" => new AccountingQuery(),
            "owner bob" => new AccountingQuery { Owner = "bob" },
            "project astro" => new AccountingQuery { Project = "astro" },
            "state failed or killed" => new AccountingQuery { States = [AccountedState.Failed, AccountedState.Killed] },
            "jobs 2 and 4" => new AccountingQuery { JobIds = [ids[1], ids[3]] },
            "ended since +20 s" => new AccountingQuery { Since = Start.AddSeconds(20) },
            "ended until +30 s" => new AccountingQuery { Until = Start.AddSeconds(30) },
            "ended from +20 s until +40 s" => new AccountingQuery { Since = Start.AddSeconds(20), Until = Start.AddSeconds(40) },
            "visible to alice" => new AccountingQuery { VisibleTo = new JobVisibility("alice", []) },
            "visible to bob, manager of bio" => new AccountingQuery { VisibleTo = new JobVisibility("bob", ["bio"]) },
            "owner alice in project astro" => new AccountingQuery { Owner = "alice", Project = "astro" },
            _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, null),
        };

        var page = await ListAsync(query);

        Assert.Equal(expected.Select(i => ids[i]), page.Items.Select(r => r.JobId));
        Assert.Equal(expected.Length, page.Total);
    }

    [Fact]
    public async Task APage_IsTheRecordsAtItsOffset_WithTheTotalOfAll()
    {
        var ids = await FourEndedJobsAsync();

        var page = await ListAsync(new AccountingQuery { Offset = 1, Limit = 2 });

        Assert.Equal([ids[1], ids[2]], page.Items.Select(r => r.JobId));
        Assert.Equal(4, page.Total);
    }
}
