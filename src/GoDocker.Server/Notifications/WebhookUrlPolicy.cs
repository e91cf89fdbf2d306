namespace GoDocker.Server.Notifications;

/// <summary>
/// Where a user's webhook may point: the server POSTs to it from inside the site's network, so a URL of the user's choice
/// is a request forgery (SSRF) against whatever the server reaches (the metadata service, an admin port, the database).
/// Only URLs under one of the site's prefixes are taken (Notifications:UserWebhookUrlPrefixes), compared on the parsed
/// URL — scheme, host, port, and path on a segment boundary — never as text, so "https://hooks.example.org@evil/",
/// "https://hooks.example.org.evil/" or ".." segments do not pass. None configured: no user webhooks at all.
/// </summary>
public sealed class WebhookUrlPolicy(IReadOnlyList<string> prefixes)
{
    private readonly IReadOnlyList<Uri> allowed = [.. prefixes.Select(p => new Uri(p, UriKind.Absolute))];

    public bool UsersMayAdd => allowed.Count > 0;

    /// <summary>Null when <paramref name="url"/> may be a user's webhook; else the sentence why not.</summary>
    public string? Refuse(string? url)
    {
        if (allowed.Count == 0)
        {
            return "this site does not let users add webhooks (Notifications:UserWebhookUrlPrefixes is empty)";
        }
        if (string.IsNullOrWhiteSpace(url) || url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || url.Any(char.IsControl))
        {
            return $"'{url}' is not an absolute http:// or https:// URL";
        }
        if (uri.UserInfo.Length > 0)
        {
            return "a webhook URL may not carry a user or password";
        }
        foreach (var prefix in allowed)
        {
            if (uri.Scheme == prefix.Scheme && string.Equals(uri.IdnHost, prefix.IdnHost, StringComparison.OrdinalIgnoreCase) && uri.Port == prefix.Port
                && UnderPath(uri.AbsolutePath, prefix.AbsolutePath))
            {
                return null;
            }
        }
        return $"'{url}' is not under a URL this site allows for webhooks ({string.Join(", ", allowed.Select(a => a.AbsoluteUri))})";
    }

    // Uri has removed dot segments already; a prefix "/hooks" allows "/hooks" and "/hooks/x", never "/hooksevil".
    private static bool UnderPath(string path, string prefix) =>
        prefix.EndsWith('/') ? path.StartsWith(prefix, StringComparison.Ordinal)
            : path == prefix || path.StartsWith(prefix + "/", StringComparison.Ordinal);
}
