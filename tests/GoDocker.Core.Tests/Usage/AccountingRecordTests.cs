using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Storage;
using GoDocker.Usage;
using static GoDocker.Core.Tests.Jobs.JobBuilder;

namespace GoDocker.Core.Tests.Usage;

/// <summary>Which changes give an accounting record (<see cref="JobLifecycle.Apply"/>), what it holds, and how a measured run is charged.</summary>
public sealed class AccountingRecordTests
{
    private static readonly DateTimeOffset Now = T0.AddMinutes(10);
    private static readonly MeasuredUsage Measured = new(CpuSeconds: 300, MaxRssBytes: 200L << 20, MaxPids: 7, BlockReadBytes: 1000,
        BlockWriteBytes: 2000, NetworkReceivedBytes: 30, NetworkSentBytes: 40, Samples: 60, LastSampleAt: Now.AddSeconds(-2));

    // Written out by hand: from (with or without a container), to → the record's state, or null for no record.
    public static TheoryData<JobState, bool, JobState, AccountedState?> Moves() => new()
    {
        // An attempt that ran and ended, or went back to the queue.
        { JobState.Running, true, JobState.Succeeded, AccountedState.Succeeded },
        { JobState.Running, true, JobState.Failed, AccountedState.Failed },
        { JobState.Running, true, JobState.Killed, AccountedState.Killed },
        { JobState.Running, true, JobState.Pending, AccountedState.Requeued },
        { JobState.Suspended, true, JobState.Killed, AccountedState.Killed },
        { JobState.Suspended, true, JobState.Pending, AccountedState.Requeued },
        // A container made, never seen running, its node lost: the attempt is abandoned.
        { JobState.Scheduled, true, JobState.Pending, AccountedState.Requeued },
        // A job that ended without its attempt running: sacct lists cancelled pending jobs too.
        { JobState.Pending, false, JobState.Killed, AccountedState.Killed },
        { JobState.Pending, false, JobState.Rejected, AccountedState.Rejected },
        { JobState.Scheduled, false, JobState.Failed, AccountedState.Failed },
        { JobState.Scheduled, false, JobState.Killed, AccountedState.Killed },
        // No end: a placement given back before any container (the same attempt is placed again), a start, a suspend,
        // a resume, a placement, an archive of what was accounted already.
        { JobState.Scheduled, false, JobState.Pending, null },
        { JobState.Scheduled, true, JobState.Running, null },
        { JobState.Running, true, JobState.Suspended, null },
        { JobState.Suspended, true, JobState.Running, null },
        { JobState.Pending, false, JobState.Scheduled, null },
        { JobState.Failed, true, JobState.Archived, null },
        { JobState.Killed, false, JobState.Archived, null },
    };

    [Theory]
    [MemberData(nameof(Moves))]
    public void Apply_GivesARecord_ForEveryEndOfAnAttemptOrAJob_AndNoOther(JobState from, bool container, JobState to, AccountedState? expected)
    {
        var builder = AJob().In(from);
        if (!container)
        {
            builder.NoContainer();
        }
        Job job = builder;

        var update = JobLifecycle.Apply(job, new JobChange(job.Id, job.Version, to, "moved", "moved"), Now);

        Assert.Equal(expected, update.Record?.State);
    }

    [Fact]
    public void Record_OfAnAttemptThatExited_HoldsWhatSacctShows()
    {
        Job job = AJob().In(JobState.Running).Started(T0);
        var change = JobLifecycle.End(job, JobState.Failed, EndCause.Exited, "exit code 3", Now.AddSeconds(-5), exitCode: 3) with { Measured = Measured };

        var record = JobLifecycle.Apply(job, change, Now).Record;

        Assert.Equal(new AccountingRecord
        {
            JobId = 42, Name = "job", Owner = "ana", Project = "astro", Attempt = 1, State = AccountedState.Failed, Cause = EndCause.Exited,
            Reason = "exit code 3", ExitCode = 3, Node = "n1", SubmittedAt = T0.AddMinutes(-10), StartedAt = T0, EndedAt = Now.AddSeconds(-5),
            Cpus = 2, MemoryBytes = 4L << 30, Gpus = 1, Measured = Measured,
        }, record);
        Assert.Equal(TimeSpan.FromSeconds(595), record!.Elapsed);
        Assert.Equal(300 / 595.0, record.AverageCpus!.Value, 9);
    }

    [Fact]
    public void Record_OfARequeue_EndsNow_KeepsTheNodeItRanOn_AndHasNoExitCode()
    {
        Job job = AJob().In(JobState.Running).Started(T0);

        var record = JobLifecycle.Apply(job, JobLifecycle.End(job, JobState.Pending, EndCause.NodeDown, "requeued: node n1 down", Now, exitCode: 137), Now).Record!;

        Assert.Equal((AccountedState.Requeued, EndCause.NodeDown, "n1", (int?)null, Now, TimeSpan.FromMinutes(10)),
            (record.State, record.Cause, record.Node, record.ExitCode, record.EndedAt, record.Elapsed));
    }

    [Fact]
    public void Record_OfAJobKilledWhilePending_HasNoStart_NoNode_NoElapsed_AndNothingMeasured()
    {
        Job job = AJob();

        var record = JobLifecycle.RequestStop(job, new StopRequest(JobState.Killed, "killed by ana", Now)).Record!;

        Assert.Equal((AccountedState.Killed, EndCause.StopRequested, (DateTimeOffset?)null, (string?)null, TimeSpan.Zero, (double?)null, (MeasuredUsage?)null),
            (record.State, record.Cause, record.StartedAt, record.Node, record.Elapsed, record.AverageCpus, record.Measured));
    }

    [Fact]
    public void Record_OfAnArrayTask_NamesItsArray()
    {
        Job job = AJob().In(JobState.Running).Started(T0).Build() with { Id = 43, ArrayId = 41 };

        var record = JobLifecycle.Apply(job, JobLifecycle.End(job, JobState.Succeeded, EndCause.Exited, "exited 0", Now, exitCode: 0), Now).Record!;

        Assert.Equal((43L, (long?)41), (record.JobId, record.ArrayId));
    }

    public static TheoryData<ChargeBasis, bool, double> Charges() => new()
    {
        // 2 allocated cpus × 600 s = 1200 cpu-seconds; 300 measured.
        { ChargeBasis.Allocated, false, 1200 },
        { ChargeBasis.Allocated, true, 1200 },
        { ChargeBasis.Measured, true, 300 },
        // Nothing measured: charged as allocated, never free.
        { ChargeBasis.Measured, false, 1200 },
    };

    [Theory]
    [MemberData(nameof(Charges))]
    public void Charge_CountsMeasuredCpuTime_OnlyWhereTheSiteSaysSo_AndWhenSomethingWasMeasured(ChargeBasis basis, bool measured, double cpuSeconds)
    {
        Job job = AJob().In(JobState.Running).Started(T0);
        var change = JobLifecycle.End(job, JobState.Succeeded, EndCause.Exited, "exited 0", Now, exitCode: 0)
            with { ChargeBasis = basis, Measured = measured ? Measured : null };

        var charge = JobLifecycle.Apply(job, change, Now).Charge!;

        // Memory and gpus stay allocated × elapsed: nothing measures their time.
        Assert.Equal(new JobConsumption(cpuSeconds, 4 * 600, 600), charge.Consumption);
    }
}
