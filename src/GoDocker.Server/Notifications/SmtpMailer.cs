using GoDocker.Notifications;
using GoDocker.Server.Configuration;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace GoDocker.Server.Notifications;

/// <summary>Sends a job's mail through the site's SMTP server (Notifications:Smtp) with MailKit: one session per mail.</summary>
public interface IJobMailer
{
    /// <summary>Whether a mail server is configured at all.</summary>
    bool Configured { get; }

    /// <summary>Sends <paramref name="notice"/>'s mail to <paramref name="to"/>; throws when the server did not accept it.</summary>
    Task SendAsync(JobNotice notice, string to, CancellationToken cancellationToken);
}

public sealed class SmtpMailer(SmtpOptions smtp) : IJobMailer
{
    public bool Configured => !string.IsNullOrWhiteSpace(smtp.Host);

    public async Task SendAsync(JobNotice notice, string to, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = JobMail.Subject(notice);
        message.Body = new TextPart("plain") { Text = JobMail.Body(notice) };
        // A Message-Id per notice: a receiver can drop a duplicate should the leader change mid-send.
        message.MessageId = $"godocker.{notice.JobId}.{notice.Kind.ToString().ToLowerInvariant()}.{notice.Attempt}.{notice.At.ToUnixTimeMilliseconds()}@{Domain(smtp.From)}";

        using var client = new SmtpClient();
        var security = smtp.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(smtp.Host ?? throw new InvalidOperationException("Notifications:Smtp:Host is not set"), smtp.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.User))
        {
            var password = smtp.PasswordFile is { } file ? (await File.ReadAllTextAsync(file, cancellationToken)).Trim() : smtp.Password ?? "";
            await client.AuthenticateAsync(smtp.User, password, cancellationToken);
        }
        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    private static string Domain(string address) => address[(address.LastIndexOf('@') + 1)..];
}
