using System.Security.Cryptography;
using GoDocker.Access;
using GoDocker.Contracts;
using GoDocker.Notifications;
using GoDocker.Server.Configuration;
using GoDocker.Server.Notifications;
using GoDocker.Storage;
using Microsoft.Extensions.Options;

namespace GoDocker.Server.UseCases;

/// <summary>
/// A user's own webhooks: add (URL under the site's allowed prefixes, events; its signing key shown once), list, remove.
/// Each user sees and removes only their own: another's webhook id is "no such webhook".
/// </summary>
public sealed class UserWebhooks(INotificationStore store, WebhookUrlPolicy urls, WebhookKeys keys, IOptions<GoDockerOptions> options, TimeProvider time)
{
    /// <summary>The new webhook with its secret, or the field refused and why (<paramref name="Forbidden"/>: the site allows none).</summary>
    public sealed record AddOutcome(WebhookView? Added, string? Field, string? Refusal, bool Forbidden = false);

    public async Task<AddOutcome> AddAsync(Caller caller, NewWebhookRequest request, CancellationToken cancellationToken)
    {
        // The request's shape first (400), then the site's policy on it (403).
        if (string.IsNullOrWhiteSpace(request.Url))
        {
            return new AddOutcome(null, "url", "the webhook's URL is required");
        }
        if (!urls.UsersMayAdd)
        {
            return new AddOutcome(null, "url", urls.Refuse(request.Url), Forbidden: true);
        }
        if (urls.Refuse(request.Url) is { } refusal)
        {
            return new AddOutcome(null, "url", refusal);
        }
        var events = MailTypes.All;
        if (request.Events is not null && !MailTypeList.TryParse(request.Events, out events, out var eventsError))
        {
            return new AddOutcome(null, "events", eventsError);
        }
        if (events == MailTypes.None)
        {
            return new AddOutcome(null, "events", "a webhook needs at least one event");
        }
        var max = options.Value.Notifications.MaxWebhooksPerUser;
        if ((await store.ListWebhooksAsync(caller.Login, cancellationToken)).Count >= max)
        {
            return new AddOutcome(null, "url", $"you have {max} webhooks, the most this site allows: remove one first");
        }
        var webhook = new UserWebhook("wh_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), caller.Login, request.Url!, events, time.GetUtcNow());
        await store.AddWebhookAsync(webhook, cancellationToken);
        return new AddOutcome(View(webhook) with { Secret = await keys.UserKeyAsync(webhook.Id, cancellationToken) }, null, null);
    }

    public async Task<IReadOnlyList<WebhookView>> ListAsync(Caller caller, CancellationToken cancellationToken) =>
        [.. (await store.ListWebhooksAsync(caller.Login, cancellationToken)).Select(View)];

    public async Task<bool> RemoveAsync(Caller caller, string id, CancellationToken cancellationToken) =>
        await store.RemoveWebhookAsync(caller.Login, id, cancellationToken);

    private static WebhookView View(UserWebhook webhook) => new(webhook.Id, webhook.Url, MailTypeList.Format(webhook.Events), webhook.CreatedAt);
}
