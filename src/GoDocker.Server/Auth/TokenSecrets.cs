using System.Security.Cryptography;
using System.Text;

namespace GoDocker.Server.Auth;

/// <summary>
/// API tokens: 32 random bytes, shown once as "gd_" + base64url; the store keeps only their SHA-256.
/// (A fast hash is right here: the secret is random and long, unlike a password.)
/// </summary>
public static class TokenSecrets
{
    public const string Prefix = "gd_";

    public static string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
