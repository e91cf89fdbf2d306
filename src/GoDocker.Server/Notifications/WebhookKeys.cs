using System.Text;
using GoDocker.Notifications;
using GoDocker.Server.Configuration;

namespace GoDocker.Server.Notifications;

/// <summary>
/// Signing keys: a site webhook's is its SecretFile's text; a user webhook's is derived from the site's webhook secret
/// and its id (<see cref="WebhookSignature.DeriveKey"/>), so no key of a user's is ever stored.
/// </summary>
public sealed class WebhookKeys(NotificationOptions options, string storedSecret)
{
    /// <summary>The key of user webhook <paramref name="webhookId"/>, as shown once to its owner (the receiver signs with its UTF-8 bytes).</summary>
    public async Task<string> UserKeyAsync(string webhookId, CancellationToken cancellationToken)
    {
        var secret = options.WebhookSecretFile is { } file ? (await File.ReadAllTextAsync(file, cancellationToken)).Trim() : storedSecret;
        return WebhookSignature.DeriveKey(Encoding.UTF8.GetBytes(secret), webhookId);
    }

    public static async Task<byte[]> SiteKeyAsync(SiteWebhookOptions hook, CancellationToken cancellationToken) =>
        Encoding.UTF8.GetBytes((await File.ReadAllTextAsync(hook.SecretFile!, cancellationToken)).Trim());
}
