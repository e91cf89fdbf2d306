using System.Security.Cryptography;
using System.Text;
using GoDocker.Notifications;
using static GoDocker.Core.Tests.Jobs.JobBuilder;

namespace GoDocker.Core.Tests.Notifications;

public sealed class WebhookSignatureTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("whsec_test");
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"jobId":12,"state":"Failed","exitCode":3}""");
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    [Fact]
    public void Sign_IsStripesScheme_HmacSha256OfTimeDotBody()
    {
        var header = WebhookSignature.Sign(Key, T0, Body);

        var t = T0.ToUnixTimeSeconds();
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes($"{t}.").Concat(Body).ToArray()));
        Assert.Equal($"t={t},v1={expected}", header);
    }

    [Fact]
    public void Verify_AcceptsItsOwnSignature_WithinTheTolerance()
    {
        Assert.True(WebhookSignature.Verify(Key, WebhookSignature.Sign(Key, T0, Body), Body, T0.AddMinutes(4), Tolerance));
    }

    [Fact]
    public void Verify_RefusesAnotherBody_AnotherKey_AnOldTime_AndNoSignature()
    {
        var header = WebhookSignature.Sign(Key, T0, Body);

        Assert.False(WebhookSignature.Verify(Key, header, Encoding.UTF8.GetBytes("""{"jobId":12,"state":"Succeeded"}"""), T0, Tolerance));
        Assert.False(WebhookSignature.Verify(Encoding.UTF8.GetBytes("whsec_other"), header, Body, T0, Tolerance));
        Assert.False(WebhookSignature.Verify(Key, header, Body, T0.AddMinutes(6), Tolerance));
        Assert.False(WebhookSignature.Verify(Key, $"t={T0.ToUnixTimeSeconds()}", Body, T0, Tolerance));
        // The time is signed: moving it forward to pass the tolerance breaks the signature.
        var replayed = header.Replace($"t={T0.ToUnixTimeSeconds()}", $"t={T0.AddMinutes(10).ToUnixTimeSeconds()}", StringComparison.Ordinal);
        Assert.False(WebhookSignature.Verify(Key, replayed, Body, T0.AddMinutes(10), Tolerance));
    }

    [Fact]
    public void DeriveKey_IsOnePerWebhook_AndOnePerSiteSecret()
    {
        var secret = Encoding.UTF8.GetBytes("site secret");

        Assert.Equal(WebhookSignature.DeriveKey(secret, "wh_1"), WebhookSignature.DeriveKey(secret, "wh_1"));
        Assert.NotEqual(WebhookSignature.DeriveKey(secret, "wh_1"), WebhookSignature.DeriveKey(secret, "wh_2"));
        Assert.NotEqual(WebhookSignature.DeriveKey(secret, "wh_1"), WebhookSignature.DeriveKey(Encoding.UTF8.GetBytes("other"), "wh_1"));
        Assert.StartsWith("whsec_", WebhookSignature.DeriveKey(secret, "wh_1"), StringComparison.Ordinal);
    }
}
