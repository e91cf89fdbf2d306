namespace GoDocker.Contracts;

/// <summary>POST /api/v1/webhooks: a URL (under one the site allows) and the events to send it (BEGIN, END, FAIL, REQUEUE, ALL; default ALL).</summary>
public sealed record NewWebhookRequest(string? Url, string? Events);

/// <summary>A user's webhook. <see cref="Secret"/>, its signing key, is in the answer that made it and never again.</summary>
public sealed record WebhookView(string Id, string Url, string Events, DateTimeOffset CreatedAt)
{
    public string? Secret { get; init; }
}
