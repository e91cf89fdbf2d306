using System.Text;
using GoDocker.Notifications;
using GoDocker.Server.Configuration;
using GoDocker.Server.Services;
using GoDocker.Storage;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.Notifications;

/// <summary>
/// The leader's sender: reads due notices from the outbox and delivers each to its targets — the job's mail recipient
/// when its mail types ask, the site's webhooks and its owner's webhooks that subscribe — recording each target reached
/// (never sent again) and, when one failed, the next try by <see cref="DeliveryBackoff"/>, until it is given up. Nothing
/// here is on the scheduler's path: a slow SMTP server or a hanging receiver only delays notices, each by at most
/// Notifications:DeliveryTimeout. After a leader change a delivery in flight may be made again (at least once): the event's
/// id and the mail's Message-Id let a receiver drop it.
/// </summary>
public sealed class NotificationSender(
    INotificationStore store,
    IJobMailer mailer,
    WebhookPoster poster,
    WebhookKeys keys,
    WebhookUrlPolicy urls,
    IOptions<GoDockerOptions> options,
    TimeProvider time,
    ILogger<NotificationSender> logger) : ILeaderWork
{
    private const int Batch = 64;
    private const int Concurrency = 8;
    private bool saidNoSmtp;

    public string Name => "notification sender";

    public async Task RunAsync(Leadership term, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Notifications.PollInterval, time);
        do
        {
            try
            {
                while (await SendDueAsync(stoppingToken) == Batch)
                {
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "notification round failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One round: every due notice tried once. Returns how many were due.</summary>
    internal async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var due = await store.ListDueAsync(time.GetUtcNow(), Batch, cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }
        var owners = due.Select(n => n.Notice.Owner).Distinct(StringComparer.Ordinal).ToList();
        var userHooks = new Dictionary<string, IReadOnlyList<UserWebhook>>(StringComparer.Ordinal);
        foreach (var owner in owners)
        {
            userHooks[owner] = await store.ListWebhooksAsync(owner, cancellationToken);
        }
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
            async (notice, token) => await SendAsync(notice, userHooks[notice.Notice.Owner], token));
        return due.Count;
    }

    private async Task SendAsync(OutboxNotice outbox, IReadOnlyList<UserWebhook> userHooks, CancellationToken cancellationToken)
    {
        var settings = options.Value.Notifications;
        var notice = outbox.Notice;
        var attempt = outbox.Attempts + 1;
        var errors = new List<string>();
        foreach (var (target, deliver) in Targets(outbox, attempt, userHooks))
        {
            if (outbox.Delivered.Contains(target))
            {
                continue;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.DeliveryTimeout);
            try
            {
                await deliver(timeout.Token);
                await store.RecordDeliveredAsync(outbox.Id, target, time.GetUtcNow(), cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var why = e is OperationCanceledException ? $"no answer within {settings.DeliveryTimeout}" : e.Message;
                errors.Add($"{target}: {why}");
            }
        }
        var now = time.GetUtcNow();
        if (errors.Count == 0)
        {
            await store.RecordTryAsync(outbox.Id, attempt, null, null, now, cancellationToken);
            return;
        }
        var error = string.Join("; ", errors);
        var next = settings.Backoff.NextTry(attempt, now);
        if (next is null)
        {
            logger.LogWarning("job {JobId}: notice {NoticeId} ({Kind}) given up after {Attempts} tries: {Error}", notice.JobId, outbox.Id, notice.Kind, attempt, error);
        }
        else
        {
            logger.LogInformation("job {JobId}: notice {NoticeId} ({Kind}) try {Attempt} failed, next at {Next:O}: {Error}", notice.JobId, outbox.Id, notice.Kind, attempt, next, error);
        }
        await store.RecordTryAsync(outbox.Id, attempt, next, error, now, cancellationToken);
    }

    /// <summary>Who gets this notice, each with a stable name (what the outbox records as delivered) and how to deliver.</summary>
    private IEnumerable<(string Target, Func<CancellationToken, Task> Deliver)> Targets(OutboxNotice outbox, int attempt, IReadOnlyList<UserWebhook> userHooks)
    {
        var notice = outbox.Notice;
        var settings = options.Value.Notifications;
        if (notice.MailTo is { } to)
        {
            if (mailer.Configured)
            {
                yield return ($"mail:{to}", token => mailer.SendAsync(notice, to, token));
            }
            else if (!saidNoSmtp)
            {
                saidNoSmtp = true;
                logger.LogWarning("job {JobId}: a mail was asked for, but Notifications:Smtp:Host is not set: job mail is not sent", notice.JobId);
            }
        }
        var payload = WebhookEvent.Of(outbox.Id, notice, attempt);
        foreach (var hook in settings.Webhooks)
        {
            if ((hook.Subscribed & notice.Types) != MailTypes.None)
            {
                yield return ($"site:{hook.Url}", async token => await poster.PostAsync(hook.Url, await WebhookKeys.SiteKeyAsync(hook, token), payload, token));
            }
        }
        foreach (var hook in userHooks)
        {
            // Checked again at each send: a URL the site no longer allows gets nothing.
            if ((hook.Events & notice.Types) != MailTypes.None && urls.Refuse(hook.Url) is null)
            {
                yield return ($"user:{hook.Id}", async token => await poster.PostAsync(hook.Url, Encoding.UTF8.GetBytes(await keys.UserKeyAsync(hook.Id, token)), payload, token));
            }
        }
    }
}
