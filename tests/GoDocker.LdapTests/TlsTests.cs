using System.DirectoryServices.Protocols;
using GoDocker.LdapTests.Infrastructure;
using static GoDocker.LdapTests.Infrastructure.SeededDirectory;

namespace GoDocker.LdapTests;

public sealed class TlsTests(Slapd slapd) : LdapTest(slapd)
{
    [Fact]
    public async Task Authenticate_OverStartTls_WithTheTestCaTrusted_Works()
    {
        var tls = Provider(Slapd.Options() with { UseStartTls = true, TrustedCaFile = Slapd.CaFile });

        Assert.Equal(2001, (await tls.AuthenticateAsync(Alice, AlicePassword, Ct))?.Uid);
        Assert.Null(await tls.AuthenticateAsync(Alice, "wrong", Ct));
        Assert.Equal(2002, (await tls.FindAsync(Bob, Ct))?.Uid);
    }

    [Fact]
    public async Task Authenticate_OverStartTls_Anonymously_Works()
    {
        var tls = Provider(Slapd.Options() with { UseStartTls = true, TrustedCaFile = Slapd.CaFile, BindDn = null, BindPassword = null });

        Assert.Equal(2001, (await tls.AuthenticateAsync(Alice, AlicePassword, Ct))?.Uid);
    }

    [Fact]
    public async Task Authenticate_OverLdaps_WithTheTestCaTrusted_Works()
    {
        var tls = Provider(Slapd.Options() with { Url = Slapd.LdapsUrl, TrustedCaFile = Slapd.CaFile });

        Assert.Equal(2001, (await tls.AuthenticateAsync(Alice, AlicePassword, Ct))?.Uid);
        Assert.Null(await tls.AuthenticateAsync("zoe", AlicePassword, Ct));
    }

    [Fact]
    public async Task Authenticate_OverStartTls_WithAnUntrustedCertificate_Throws_BeforeSendingCredentials()
    {
        var untrusted = Provider(Slapd.Options() with { UseStartTls = true });

        await Assert.ThrowsAsync<LdapException>(() => untrusted.AuthenticateAsync(Alice, AlicePassword, Ct).AsTask());
    }

    [Fact]
    public async Task Authenticate_OverLdaps_WithAnUntrustedCertificate_Throws()
    {
        var untrusted = Provider(Slapd.Options() with { Url = Slapd.LdapsUrl });

        await Assert.ThrowsAsync<LdapException>(() => untrusted.AuthenticateAsync(Alice, AlicePassword, Ct).AsTask());
    }

    [Fact]
    public async Task Authenticate_TrustedCaFileThatIsNoCertificate_Throws()
    {
        var notPem = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(notPem, "not a certificate", Ct);
            var misconfigured = Provider(Slapd.Options() with { UseStartTls = true, TrustedCaFile = notPem });

            await Assert.ThrowsAsync<InvalidOperationException>(() => misconfigured.AuthenticateAsync(Alice, AlicePassword, Ct).AsTask());
        }
        finally
        {
            File.Delete(notPem);
        }
    }
}
