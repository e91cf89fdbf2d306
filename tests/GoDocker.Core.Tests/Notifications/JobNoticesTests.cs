using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Notifications;
using GoDocker.Storage;
using static GoDocker.Core.Tests.Jobs.JobBuilder;

namespace GoDocker.Core.Tests.Notifications;

public sealed class JobNoticesTests
{
    private static readonly DateTimeOffset Now = T0.AddMinutes(10);

    private static Job Mailed(Job job, MailTypes types, string? to = "ana@example.org") =>
        job with { Spec = job.Spec with { MailTypes = types, MailUser = to } };

    private static JobUpdate Move(Job job, JobState to, int? exitCode = null, EndCause? cause = null) =>
        JobLifecycle.Apply(job, new JobChange(job.Id, job.Version, to, "moved", "moved")
        {
            ExitCode = exitCode,
            EndCause = cause,
            StartedAt = to == JobState.Running ? Now : null,
            EndedAt = to.IsTerminal() ? Now : null,
        }, Now);

    // Which change tells what, as Slurm's --mail-type means it: END is every end, FAIL only ends that did not succeed.
    public static TheoryData<JobState, JobState, NoticeKind?, MailTypes> Moves() => new()
    {
        { JobState.Scheduled, JobState.Running, NoticeKind.Began, MailTypes.Begin },
        { JobState.Running, JobState.Succeeded, NoticeKind.Ended, MailTypes.End },
        { JobState.Running, JobState.Failed, NoticeKind.Ended, MailTypes.End | MailTypes.Fail },
        { JobState.Running, JobState.Killed, NoticeKind.Ended, MailTypes.End | MailTypes.Fail },
        { JobState.Pending, JobState.Killed, NoticeKind.Ended, MailTypes.End | MailTypes.Fail },
        { JobState.Pending, JobState.Rejected, NoticeKind.Ended, MailTypes.End | MailTypes.Fail },
        { JobState.Suspended, JobState.Failed, NoticeKind.Ended, MailTypes.End | MailTypes.Fail },
        { JobState.Running, JobState.Pending, NoticeKind.Requeued, MailTypes.Requeue },
        { JobState.Suspended, JobState.Pending, NoticeKind.Requeued, MailTypes.Requeue },
        { JobState.Scheduled, JobState.Pending, NoticeKind.Requeued, MailTypes.Requeue },
        // Told nothing: a placement, a pause and its end, an archive of an ended job.
        { JobState.Pending, JobState.Scheduled, null, MailTypes.None },
        { JobState.Running, JobState.Suspended, null, MailTypes.None },
        { JobState.Suspended, JobState.Running, null, MailTypes.None },
        { JobState.Succeeded, JobState.Archived, null, MailTypes.None },
    };

    [Theory]
    [MemberData(nameof(Moves))]
    public void Apply_GivesTheNoticeOfItsMove(JobState from, JobState to, NoticeKind? kind, MailTypes types)
    {
        Job job = AJob().In(from).Started(T0);

        var notice = Move(job, to).Notice;

        Assert.Equal(kind, notice?.Kind);
        Assert.Equal(types, notice?.Types ?? MailTypes.None);
    }

    [Fact]
    public void AScheduledPlacementGivenBackBeforeAnyContainer_IsNoRequeue()
    {
        Job job = AJob().In(JobState.Scheduled).NoContainer();

        var update = JobLifecycle.Apply(job, JobLifecycle.ReturnToQueue(job, "node busy", "returned"), Now);

        Assert.Null(update.Notice);
    }

    public static TheoryData<MailTypes, JobState, bool> MailAsked() => new()
    {
        { MailTypes.End, JobState.Succeeded, true },
        { MailTypes.End, JobState.Failed, true },
        { MailTypes.Fail, JobState.Succeeded, false },
        { MailTypes.Fail, JobState.Failed, true },
        { MailTypes.Fail, JobState.Killed, true },
        { MailTypes.Begin, JobState.Failed, false },
        { MailTypes.Requeue, JobState.Failed, false },
        { MailTypes.All, JobState.Succeeded, true },
        { MailTypes.None, JobState.Failed, false },
        { MailTypes.End | MailTypes.Fail, JobState.Failed, true },
    };

    [Theory]
    [MemberData(nameof(MailAsked))]
    public void AnEnd_IsMailed_OnlyWhenTheJobsMailTypesAskForIt(MailTypes asked, JobState end, bool mailed)
    {
        var job = Mailed(AJob().In(JobState.Running).Started(T0), asked);

        var notice = Move(job, end, exitCode: end == JobState.Succeeded ? 0 : 3, cause: EndCause.Exited).Notice!;

        Assert.Equal(mailed ? "ana@example.org" : null, notice.MailTo);
    }

    [Fact]
    public void ABegin_IsMailedForBeginOnly()
    {
        Assert.Equal("ana@example.org", Move(Mailed(AJob().In(JobState.Scheduled), MailTypes.Begin), JobState.Running).Notice!.MailTo);
        Assert.Null(Move(Mailed(AJob().In(JobState.Scheduled), MailTypes.End | MailTypes.Fail), JobState.Running).Notice!.MailTo);
    }

    [Fact]
    public void NoRecipient_NoMail_ButTheNoticeStaysForWebhooks()
    {
        var notice = Move(Mailed(AJob().In(JobState.Running).Started(T0), MailTypes.All, to: null), JobState.Failed, 3, EndCause.Exited).Notice!;

        Assert.Null(notice.MailTo);
        Assert.Equal(NoticeKind.Ended, notice.Kind);
    }

    [Fact]
    public void AnEndsNotice_CarriesWhatTheMailSays_StateExitCodeNodeAndRunTime()
    {
        var job = Mailed(AJob().In(JobState.Running).Started(T0), MailTypes.End);

        var notice = Move(job, JobState.Failed, exitCode: 3, cause: EndCause.Exited).Notice!;

        Assert.Equal((42L, "ana", "job", "astro"), (notice.JobId, notice.Owner, notice.Name, notice.Project));
        Assert.Equal((JobState.Failed, 3, EndCause.Exited, "n1"), (notice.State, notice.ExitCode, notice.Cause, notice.Node));
        Assert.Equal(Now, notice.At);
        Assert.Equal(TimeSpan.FromMinutes(10), notice.RunTime);
        Assert.Equal(1, notice.Attempt);
    }

    [Fact]
    public void AnUnchangedJob_TellsNothing()
    {
        Job job = AJob().In(JobState.Succeeded);

        Assert.Null(JobLifecycle.RequestStop(job, new StopRequest(JobState.Killed, "kill", Now)).Notice);
    }
}
