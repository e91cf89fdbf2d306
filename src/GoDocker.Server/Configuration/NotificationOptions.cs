using GoDocker.Notifications;

namespace GoDocker.Server.Configuration;

/// <summary>Notifications:, mail and webhooks about jobs' moments (README, "Notifications").</summary>
public sealed class NotificationOptions
{
    /// <summary>The mail types of a job that gives no --mail-type (Slurm's names: NONE, BEGIN, END, FAIL, REQUEUE, ALL, or a list: END,FAIL).</summary>
    public string DefaultMailType { get; set; } = "NONE";
    /// <summary>A job's --mail-user may only be its owner's own address (from their account or LDAP).</summary>
    public bool MailUserOwnAddressOnly { get; set; }
    public SmtpOptions Smtp { get; set; } = new();
    /// <summary>The site's webhooks: every job's events they subscribe to are POSTed to them.</summary>
    public List<SiteWebhookOptions> Webhooks { get; set; } = [];
    /// <summary>
    /// URL prefixes a user's webhook may point at ("https://hooks.example.org/"): matched on scheme, host, port and path
    /// prefix. Empty (the default): users may not add webhooks, since the server would POST wherever they say (SSRF).
    /// </summary>
    public List<string> UserWebhookUrlPrefixes { get; set; } = [];
    /// <summary>How many webhooks one user may have.</summary>
    public int MaxWebhooksPerUser { get; set; } = 10;
    /// <summary>
    /// A file holding the secret users' webhook signing keys are derived from (HMAC of the webhook's id). Absent: a random
    /// secret kept in the store's meta table (then a copy of the database can derive the keys: a site that minds sets this).
    /// </summary>
    public string? WebhookSecretFile { get; set; }
    /// <summary>How many tries a notice gets in all before it is given up.</summary>
    public int MaxAttempts { get; set; } = 8;
    /// <summary>The wait after a first failed try; it doubles with each failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);
    /// <summary>How long one delivery (an SMTP session, a webhook POST) may take before it counts as failed.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How often the leader's sender looks for due notices.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The parsed <see cref="DefaultMailType"/> (set by the configuration check).</summary>
    internal MailTypes DefaultMailTypes { get; set; }

    internal DeliveryBackoff Backoff => new(FirstRetryDelay, MaxRetryDelay, MaxAttempts);
}

/// <summary>Notifications:Smtp, the site's mail server. No Host: no mail is sent (notices for mail are dropped, said in the log once).</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    /// <summary>none (plain, e.g. a relay on localhost), starttls (upgrade, refused if the server cannot), or tls (TLS from the start, port 465).</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;
    /// <summary>Log in as this user (with the password of <see cref="Password"/> or <see cref="PasswordFile"/>); none: no login.</summary>
    public string? User { get; set; }
    /// <summary>A secret, never logged; prefer <see cref="PasswordFile"/>.</summary>
    public string? Password { get; set; }
    /// <summary>A file holding the password (read at each connection, so it can be rotated).</summary>
    public string? PasswordFile { get; set; }
    /// <summary>The sender address of job mail.</summary>
    public string From { get; set; } = "godocker@localhost";
}

public enum SmtpSecurity
{
    None,
    StartTls,
    Tls,
}

/// <summary>A site webhook: every job's events in <see cref="Events"/> are POSTed to <see cref="Url"/>, signed with <see cref="SecretFile"/>'s secret.</summary>
public sealed class SiteWebhookOptions
{
    public string Url { get; set; } = "";
    /// <summary>BEGIN, END, FAIL, REQUEUE or ALL, or a list (END,FAIL).</summary>
    public string Events { get; set; } = "ALL";
    /// <summary>A file holding the signing secret the receiver verifies X-GoDocker-Signature with (required).</summary>
    public string? SecretFile { get; set; }

    internal MailTypes Subscribed { get; set; }
}
