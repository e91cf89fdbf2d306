using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GoDocker.Notifications;

/// <summary>
/// The X-GoDocker-Signature header, as Stripe signs its webhooks: <c>t=UNIX_SECONDS,v1=HEX</c>, where v1 is the
/// HMAC-SHA256, keyed by the webhook's signing key, of "t.body". The time is signed with the body, so a receiver that
/// refuses old times refuses a replayed request.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-GoDocker-Signature";

    public static string Sign(ReadOnlySpan<byte> key, DateTimeOffset at, ReadOnlySpan<byte> body)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Mac(key, t, body)}";
    }

    /// <summary>Whether <paramref name="header"/> is a v1 signature of <paramref name="body"/> by <paramref name="key"/>, made within <paramref name="tolerance"/> of <paramref name="now"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> key, string header, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        string? t = null;
        var signatures = new List<string>();
        foreach (var part in header.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }
            var (name, value) = (part[..eq].Trim(), part[(eq + 1)..].Trim());
            if (name == "t")
            {
                t = value;
            }
            else if (name == "v1")
            {
                signatures.Add(value);
            }
        }
        if (t is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(Mac(key, t, body));
        var matched = false;
        foreach (var signature in signatures)
        {
            matched |= CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
        }
        return matched;
    }

    /// <summary>
    /// A user webhook's signing key: HMAC-SHA256 of its id keyed by the site's webhook secret. Nothing of it is stored, so
    /// the store alone (a copy of the database) signs nothing; it is shown once, when the webhook is made.
    /// </summary>
    public static string DeriveKey(ReadOnlySpan<byte> siteSecret, string webhookId) =>
        "whsec_" + Convert.ToHexStringLower(HMACSHA256.HashData(siteSecret, Encoding.UTF8.GetBytes(webhookId)));

    private static string Mac(ReadOnlySpan<byte> key, string t, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(t + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, message));
    }
}
