using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Server.Services;
using GoDocker.Server.Tests.UseCases;
using GoDocker.Server.UseCases;
using GoDocker.Storage;
using GoDocker.Usage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Tests.Services;

/// <summary>
/// The executor's one way to end an attempt: what the sampler measured and the site's Usage:Charge reach the ending
/// change, so the accounting record and the charge are kept with it; a measure that cannot be read never stops the end.
/// And the history use case: who sees which records.
/// </summary>
public sealed class AttemptEndsTests : UseCaseTest
{
    private static readonly MeasuredUsage Measured = new(CpuSeconds: 7.5, MaxRssBytes: 200L << 20, MaxPids: 3, BlockReadBytes: 10, BlockWriteBytes: 20,
        NetworkReceivedBytes: 30, NetworkSentBytes: 40, Samples: 4, LastSampleAt: new DateTimeOffset(2026, 3, 1, 12, 0, 9, TimeSpan.Zero));

    /// <summary>The sampler's answer for one (job, attempt), or a fault.</summary>
    private sealed class Sampler(long jobId, int attempt, MeasuredUsage? measured, Exception? fault = null) : IAttemptUsage
    {
        public ValueTask<MeasuredUsage?> MeasuredAsync(long id, int asked, CancellationToken cancellationToken) =>
            fault is not null ? throw fault : ValueTask.FromResult(id == jobId && asked == attempt ? measured : null);
    }

    private sealed class CountingSampler : IAttemptUsage
    {
        public int Asked { get; private set; }

        public ValueTask<MeasuredUsage?> MeasuredAsync(long id, int asked, CancellationToken cancellationToken)
        {
            Asked++;
            return ValueTask.FromResult<MeasuredUsage?>(null);
        }
    }

    private AttemptEnds Ends(IAttemptUsage usage) => new(Store, usage, Options.Create(Settings), NullLogger<AttemptEnds>.Instance);

    private async Task<Job> EndAsync(AttemptEnds ends, Job running) =>
        await ends.RecordAsync(running, JobLifecycle.End(running, JobState.Succeeded, EndCause.Exited, "exited 0", Time.GetUtcNow(), exitCode: 0), Ct);

    [Theory]
    [InlineData(ChargeBasis.Allocated, 10.0)]
    [InlineData(ChargeBasis.Measured, 7.5)]
    public async Task WhatWasMeasured_IsKeptInTheRecord_AndChargedWhereTheSiteSaysSo(ChargeBasis basis, double charged)
    {
        Settings.Usage.Charge = basis;
        var running = await RunningAsync(Alice);
        Time.Advance(TimeSpan.FromSeconds(10));

        await EndAsync(Ends(new Sampler(running.Id, running.Attempt, Measured)), running);

        var record = Assert.Single((await Store.ListAccountingAsync(new AccountingQuery(), Ct)).Items);
        Assert.Equal((running.Id, Measured), (record.JobId, record.Measured));
        Assert.Equal(charged, await Store.CpuSecondsSinceAsync(AccountKind.User, "alice", Time.GetUtcNow().AddHours(-1), Ct), 6);
    }

    [Fact]
    public async Task AMeasureThatCannotBeRead_StillEndsTheAttempt_WithNothingMeasured()
    {
        var running = await RunningAsync(Alice);

        var ended = await EndAsync(Ends(new Sampler(running.Id, running.Attempt, null, new IOException("engine gone"))), running);

        Assert.Equal(JobState.Succeeded, ended.State);
        Assert.Null(Assert.Single((await Store.ListAccountingAsync(new AccountingQuery(), Ct)).Items).Measured);
    }

    [Fact]
    public async Task AnAttemptThatNeverRan_IsEndedWithoutAskingTheSampler()
    {
        var job = await SubmittedAsync(Alice);
        await Store.ApplyPlanAsync(
            new GoDocker.Scheduling.Plan([new(job.Id, job.Version, "n1", job.Spec.Resources)], new Dictionary<long, string>()),
            [new GoDocker.Scheduling.NodeInfo("n1", new Resources(4, 16L << 30, 0))], Ct);
        var scheduled = await GetAsync(job.Id);
        // Nothing of a container that never started was sampled: the sampler (a store read when it does not watch the
        // attempt) is not asked.
        var sampler = new CountingSampler();

        var ended = await Ends(sampler).RecordAsync(scheduled,
            JobLifecycle.End(scheduled, JobState.Failed, EndCause.RefusedAtLaunch, "refused", Time.GetUtcNow()), Ct);

        Assert.Equal(JobState.Failed, ended.State);
        Assert.Equal(0, sampler.Asked);
        Assert.Null(Assert.Single((await Store.ListAccountingAsync(new AccountingQuery(), Ct)).Items).Measured);
    }

    [Fact]
    public async Task History_ShowsACallerTheRecordsOfTheJobsTheyMaySee()
    {
        var ends = Ends(NothingMeasured.Instance);
        var alices = await EndAsync(ends, await RunningAsync(Alice));
        var bobs = await EndAsync(ends, await RunningAsync(Bob));
        var history = new AccountingHistory(Store);

        async Task<long[]> SeenBy(GoDocker.Access.Caller caller, AccountingQuery? query = null) =>
            [.. (await history.ListAsync(caller, query ?? new AccountingQuery(), Ct)).Items.Select(r => r.JobId)];

        Assert.Equal([alices.Id], await SeenBy(Alice));
        Assert.Empty(await SeenBy(Alice, new AccountingQuery { Owner = "bob" }));
        Assert.Empty(await SeenBy(Alice, new AccountingQuery { JobIds = [bobs.Id] }));
        Assert.Equal([alices.Id, bobs.Id], await SeenBy(Admin));
        Assert.Equal([alices.Id, bobs.Id], await SeenBy(User("carol", "default")));
    }
}
