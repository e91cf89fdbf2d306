using GoDocker.Notifications;

namespace GoDocker.Storage;

/// <summary>
/// The notification outbox and users' webhooks. A job's change writes its <see cref="JobNotice"/> into the outbox in the
/// change's own transaction (the job stores do, from <see cref="Jobs.JobUpdate.Notice"/>); the leader's sender reads what
/// is due here and records each delivery, so a notice is never lost to a crash and a target it reached is never sent it again.
/// </summary>
public interface INotificationStore
{
    /// <summary>Undone notices whose next try is at or before <paramref name="now"/>, oldest first, at most <paramref name="limit"/>.</summary>
    ValueTask<IReadOnlyList<OutboxNotice>> ListDueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="target"/> got notice <paramref name="id"/>: a later try skips it. Recording it twice changes nothing.</summary>
    ValueTask RecordDeliveredAsync(long id, string target, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Records a try of notice <paramref name="id"/>, its <paramref name="attempts"/>-th: due again at <paramref name="nextTry"/>,
    /// or done when that is null (delivered to every target when <paramref name="error"/> is null, else given up with it).
    /// </summary>
    ValueTask RecordTryAsync(long id, int attempts, DateTimeOffset? nextTry, string? error, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The notices of a job, oldest first, done or not (for an administrator, and tests).</summary>
    ValueTask<IReadOnlyList<OutboxNotice>> ListForJobAsync(long jobId, CancellationToken cancellationToken);

    /// <summary>Stores a user's new webhook.</summary>
    ValueTask AddWebhookAsync(UserWebhook webhook, CancellationToken cancellationToken);

    /// <summary>The webhooks of <paramref name="owner"/> (everyone's when null), oldest first.</summary>
    ValueTask<IReadOnlyList<UserWebhook>> ListWebhooksAsync(string? owner, CancellationToken cancellationToken);

    /// <summary>Removes <paramref name="owner"/>'s webhook <paramref name="id"/>; false when they have none of that id.</summary>
    ValueTask<bool> RemoveWebhookAsync(string owner, string id, CancellationToken cancellationToken);
}

/// <summary>A notice in the outbox: its tries so far, the targets it reached, and, once done, when and with what last error.</summary>
public sealed record OutboxNotice(long Id, JobNotice Notice, int Attempts, IReadOnlySet<string> Delivered)
{
    public DateTimeOffset? NextTry { get; init; }
    public DateTimeOffset? DoneAt { get; init; }
    public string? LastError { get; init; }
}

/// <summary>A user's webhook: job events of theirs in <see cref="Events"/> are POSTed to <see cref="Url"/>. Its signing key is derived, never stored.</summary>
public sealed record UserWebhook(string Id, string Owner, string Url, MailTypes Events, DateTimeOffset CreatedAt);
