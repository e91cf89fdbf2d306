using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Notifications;
using GoDocker.Server.Notifications;

namespace GoDocker.Server.Tests.Notifications;

public sealed class JobMailTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly JobNotice Ended = new()
    {
        JobId = 12,
        Owner = "ana",
        Name = "align",
        Project = "astro",
        Kind = NoticeKind.Ended,
        Types = MailTypes.End | MailTypes.Fail,
        State = JobState.Failed,
        ExitCode = 3,
        Cause = EndCause.Exited,
        Node = "n1",
        Attempt = 1,
        SubmittedAt = T0.AddMinutes(-2),
        StartedAt = T0,
        At = T0.AddSeconds(65),
    };

    [Fact]
    public void Subject_IsSlurms()
    {
        Assert.Equal("GoDocker Job_id=12 Name=align Failed, Run time 00:01:05, FAILED, ExitCode 3", JobMail.Subject(Ended));
        Assert.Equal("GoDocker Job_id=12 Name=align Ended, Run time 00:01:05, COMPLETED, ExitCode 0",
            JobMail.Subject(Ended with { State = JobState.Succeeded, ExitCode = 0, Types = MailTypes.End }));
        Assert.Equal("GoDocker Job_id=12 Name=align Began, Queued time 00:02:00",
            JobMail.Subject(Ended with { Kind = NoticeKind.Began, Types = MailTypes.Begin, State = JobState.Running, ExitCode = null, At = T0 }));
        Assert.Equal("GoDocker Job_id=12 Name=align Failed, Run time 00:00:00, CANCELLED, ExitCode -",
            JobMail.Subject(Ended with { State = JobState.Killed, ExitCode = null, StartedAt = null }));
    }

    [Fact]
    public void Body_SaysStateExitCodeNodeAndElapsed()
    {
        var body = JobMail.Body(Ended);

        Assert.Contains("Job        12\n", body, StringComparison.Ordinal);
        Assert.Contains("State      Failed\n", body, StringComparison.Ordinal);
        Assert.Contains("ExitCode   3\n", body, StringComparison.Ordinal);
        Assert.Contains("Node       n1\n", body, StringComparison.Ordinal);
        Assert.Contains("Elapsed    00:01:05\n", body, StringComparison.Ordinal);
    }
}
