using System.Security.Cryptography;
using System.Text;

namespace GoDocker.Server.Auth;

/// <summary>
/// The browser's session: an ordinary API token (stored hashed, revocable, expiring) carried in an HttpOnly cookie that
/// script cannot read, plus a CSRF value the app sends back in <see cref="CsrfHeader"/> on every state-changing request.
/// The CSRF value is derived from the secret (HMAC-SHA256 keyed by it): nothing more to store, it dies with the token,
/// and knowing it reveals nothing of the secret.
/// </summary>
public static class WebSession
{
    public const string CookieName = "godocker_session";
    public const string CsrfHeader = "X-CSRF-Token";
    public const string TokenName = "web session";
    private static readonly byte[] CsrfLabel = "godocker csrf v1"u8.ToArray();

    public static string CsrfToken(string secret) =>
        Base64Url(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), CsrfLabel));

    /// <summary>Whether the CSRF value <paramref name="sent"/> is the <paramref name="expected"/> one (never when empty), compared in constant time.</summary>
    public static bool CsrfMatches(string? expected, string? sent) =>
        !string.IsNullOrEmpty(expected) && !string.IsNullOrEmpty(sent)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(sent));

    /// <summary>The cookie's attributes: never readable by script, never sent by another site's page, Secure over https.</summary>
    public static CookieOptions CookieOptions(HttpRequest request) => new()
    {
        Path = "/",
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        IsEssential = true,
    };

    /// <summary>POST, PUT, PATCH and DELETE: the methods that change state (GET and HEAD never do here).</summary>
    public static bool ChangesState(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
