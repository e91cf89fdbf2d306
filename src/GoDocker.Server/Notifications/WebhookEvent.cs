using System.Text.Json.Serialization;
using GoDocker.Execution;
using GoDocker.Jobs;
using GoDocker.Notifications;

namespace GoDocker.Server.Notifications;

/// <summary>
/// The JSON a webhook receives (POST, application/json, signed in X-GoDocker-Signature). <see cref="Id"/> is the same on
/// every try of one notice: a receiver drops a repeat by it.
/// </summary>
public sealed record WebhookEvent
{
    /// <summary>"ntf_" and the outbox id of the notice.</summary>
    public required string Id { get; init; }
    /// <summary>job.began, job.ended or job.requeued.</summary>
    public required string Type { get; init; }
    public required long JobId { get; init; }
    public required string Name { get; init; }
    public required string User { get; init; }
    public required string Project { get; init; }
    public required JobState State { get; init; }
    public int? ExitCode { get; init; }
    public EndCause? Cause { get; init; }
    public string? Reason { get; init; }
    public string? Node { get; init; }
    /// <summary>When it happened.</summary>
    public required DateTimeOffset Time { get; init; }
    /// <summary>The job's run (launch attempt) it is about.</summary>
    public int Run { get; init; }
    /// <summary>This delivery's try, from 1.</summary>
    public required int Attempt { get; init; }

    public static WebhookEvent Of(long noticeId, JobNotice notice, int attempt) => new()
    {
        Id = $"ntf_{noticeId}",
        Type = notice.Kind switch
        {
            NoticeKind.Began => "job.began",
            NoticeKind.Requeued => "job.requeued",
            _ => "job.ended",
        },
        JobId = notice.JobId,
        Name = notice.Name,
        User = notice.Owner,
        Project = notice.Project,
        State = notice.State,
        ExitCode = notice.ExitCode,
        Cause = notice.Cause,
        Reason = notice.Reason,
        Node = notice.Node,
        Time = notice.At,
        Run = notice.Attempt,
        Attempt = attempt,
    };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WebhookEvent))]
public sealed partial class WebhookJson : JsonSerializerContext;
