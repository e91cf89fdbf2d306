using GoDocker.Execution;
using GoDocker.Jobs;

namespace GoDocker.Notifications;

/// <summary>The moment a notice tells of: a job began, ended, or was requeued.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<NoticeKind>))]
public enum NoticeKind
{
    Began,
    Ended,
    Requeued,
}

/// <summary>
/// What a job's change tells the people who asked to know (<see cref="JobNotices.Of"/>): kept in the notification outbox
/// in the change's transaction, delivered later by the leader's sender as a mail and as webhook events. Everything a
/// message says is here, so delivery reads nothing else about the job.
/// </summary>
public sealed record JobNotice
{
    public required long JobId { get; init; }
    public required string Owner { get; init; }
    public required string Name { get; init; }
    public required string Project { get; init; }
    public required NoticeKind Kind { get; init; }
    /// <summary>The mail types this notice answers: BEGIN; END; END and FAIL; REQUEUE.</summary>
    public required MailTypes Types { get; init; }
    public required JobState State { get; init; }
    public int? ExitCode { get; init; }
    public EndCause? Cause { get; init; }
    public string? Reason { get; init; }
    public string? Node { get; init; }
    /// <summary>The job's run (launch attempt) this notice is about.</summary>
    public int Attempt { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When it happened.</summary>
    public required DateTimeOffset At { get; init; }
    /// <summary>Who gets a mail: set only when the job's mail types include one of <see cref="Types"/> and it has a recipient.</summary>
    public string? MailTo { get; init; }

    /// <summary>How long it ran (began to this moment); null when it never started.</summary>
    public TimeSpan? RunTime => StartedAt is { } started && At >= started ? At - started : null;

    /// <summary>How long it waited in the queue before it began.</summary>
    public TimeSpan QueuedTime => (StartedAt ?? At) - SubmittedAt;
}
