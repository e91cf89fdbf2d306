using GoDocker.Execution;
using GoDocker.Jobs;
using static GoDocker.Core.Tests.Jobs.JobBuilder;

namespace GoDocker.Core.Tests.Execution;

public sealed class NodeFailureTests
{
    private static readonly TimeSpan DownAfter = TimeSpan.FromMinutes(5);
    private static readonly DateTimeOffset Since = T0;

    public static TheoryData<int?, bool> Silences() => new()
    {
        { null, false },   // answers
        { 0, false },      // just stopped answering
        { 299, false },    // a second short
        { 300, true },     // exactly the site's time
        { 3600, true },
    };

    [Theory]
    [MemberData(nameof(Silences))]
    public void IsDown_OnceTheEngineHasBeenSilentForTheSitesTime(int? silentSeconds, bool down)
    {
        var now = T0.AddSeconds(silentSeconds ?? 0);
        DateTimeOffset? since = silentSeconds is null ? null : T0;

        Assert.Equal(down, NodeFailure.IsDown(since, DownAfter, now));
    }

    public static TheoryData<JobState, bool, bool, JobState, EndCause?, string> Resolutions() => new()
    {
        // state, requeue allowed, has a container → becomes, cause, event kind
        { JobState.Running, true, true, JobState.Pending, EndCause.NodeDown, "requeued" },
        { JobState.Suspended, true, true, JobState.Pending, EndCause.NodeDown, "requeued" },
        { JobState.Scheduled, true, true, JobState.Pending, EndCause.NodeDown, "requeued" },
        { JobState.Running, false, true, JobState.Failed, EndCause.NodeDown, "failed" },
        { JobState.Suspended, false, true, JobState.Failed, EndCause.NodeDown, "failed" },
        { JobState.Scheduled, false, true, JobState.Failed, EndCause.NodeDown, "failed" },
        // A placement that never made a container ran nothing: back to the queue whatever the job allows.
        { JobState.Scheduled, false, false, JobState.Pending, null, "returned" },
        { JobState.Scheduled, true, false, JobState.Pending, null, "returned" },
    };

    [Theory]
    [MemberData(nameof(Resolutions))]
    public void Resolve_RequeuesWhatAllowsIt_FailsTheRest_AndReturnsPlacements(JobState state, bool requeue, bool container, JobState becomes, EndCause? cause, string kind)
    {
        var now = T0.AddMinutes(6);
        var builder = AJob().In(state).Started(T0.AddMinutes(-30));
        Job job = container ? builder : builder.NoContainer();
        job = job with { Spec = job.Spec with { Requeue = requeue } };

        var change = NodeFailure.Resolve(job, "n1", Since, now)!;
        var update = JobLifecycle.Apply(job, change, now);

        Assert.Equal((becomes, cause, kind), (update.Job.State, update.Job.EndCause, update.Event!.Kind));
        Assert.Contains("node n1 down (unreachable since 2025-01-01 08:00:00 UTC)", update.Job.Reason, StringComparison.Ordinal);
        Assert.Equal(becomes == JobState.Failed ? now : null, update.Job.EndedAt);
        // Back in the queue, it is placed anew: no node, no container; the next placement is the next attempt.
        Assert.Equal(becomes == JobState.Pending ? null : "n1", update.Job.Node);
    }

    [Fact]
    public void Resolve_ChargesTheRunUpToTheDecision_AsAnyEnd()
    {
        var now = T0.AddMinutes(6);
        Job job = AJob().In(JobState.Running).Started(T0.AddMinutes(-30));

        var update = JobLifecycle.Apply(job, NodeFailure.Resolve(job, "n1", Since, now)!, now);

        Assert.Equal(now, update.Charge!.EndedAt);
        Assert.Equal(job.Attempt, update.Charge.Attempt);
    }

    [Fact]
    public void Resolve_HonoursAStopAskedForAndNeverApplied()
    {
        var now = T0.AddMinutes(6);
        Job job = AJob().In(JobState.Running).Started(T0).StopRequested(new StopRequest(JobState.Killed, "killed by ana", T0.AddMinutes(1)));

        var update = JobLifecycle.Apply(job, NodeFailure.Resolve(job, "n1", Since, now)!, now);

        Assert.Equal((JobState.Killed, EndCause.StopRequested, "killed by ana"), (update.Job.State, update.Job.EndCause, update.Job.Reason));
        // Its event is a kill's, as when the executor applies it on a node that answers.
        Assert.Equal("killed", update.Event!.Kind);
        Assert.Null(update.Job.StopRequested);
    }

    [Theory]
    [InlineData(JobState.Pending, "n1")]
    [InlineData(JobState.Succeeded, "n1")]
    [InlineData(JobState.Failed, "n1")]
    [InlineData(JobState.Running, "n2")]
    public void Resolve_LeavesJobsWithNoLiveAttemptOnTheNode(JobState state, string downNode)
    {
        Job job = AJob().In(state).Started(T0);

        Assert.Null(NodeFailure.Resolve(job, downNode, Since, T0.AddMinutes(6)));
    }
}
