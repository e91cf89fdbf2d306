using System.Security.Cryptography;
using System.Text;

namespace GoDocker.Server.Monitoring;

/// <summary>
/// The bearer token a Prometheus scrapes /metrics with (Metrics:TokenSha256): the configuration holds only the token's
/// SHA-256 (hex), as the store holds API tokens', so a readable configuration file gives no scrape access. A request's
/// token is hashed and the digests compared in constant time; neither is ever logged.
/// </summary>
public sealed class ScrapeToken
{
    private readonly byte[]? expected;

    /// <param name="sha256Hex">64 hex digits (checked at start), or null/empty: no scrape token.</param>
    public ScrapeToken(string? sha256Hex)
    {
        expected = string.IsNullOrWhiteSpace(sha256Hex) ? null : Convert.FromHexString(sha256Hex.Trim());
    }

    /// <summary>Whether a scrape token is configured (else /metrics is for administrators: <see cref="MetricsApi"/>).</summary>
    public bool Configured => expected is not null;

    /// <summary>Whether Metrics:TokenSha256's value can be one: 64 hex digits.</summary>
    public static bool IsValidHash(string? sha256Hex) =>
        string.IsNullOrWhiteSpace(sha256Hex) || sha256Hex.Trim() is { Length: 64 } hex && hex.All(Uri.IsHexDigit);

    /// <summary>True when <paramref name="authorization"/> is "Bearer &lt;the token&gt;" (scheme in any case).</summary>
    public bool Admits(string? authorization)
    {
        if (expected is null || authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization["Bearer ".Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, expected);
    }
}
