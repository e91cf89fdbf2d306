using GoDocker.Server.Auth.Ldap;
using Microsoft.Extensions.Logging.Abstractions;

namespace GoDocker.LdapTests;

public sealed class LdapOptionsTests
{
    private static readonly LdapOptions Valid = new() { Url = "ldap://ldap.example.org", UserBaseDn = "ou=people,dc=example,dc=org" };

    [Fact]
    public void Defaults_WithABaseDn_AreUsable()
    {
        Assert.Empty(Valid.Problems());
        Assert.Equal("(&(objectClass=posixAccount)(uid={0}))", Valid.UserFilter);
    }

    [Theory]
    [InlineData("BindDn without BindPassword", "unauthenticated")]
    [InlineData("StartTLS on ldaps", "UseStartTls")]
    [InlineData("CA without TLS", "TrustedCaFile")]
    [InlineData("no base DN nor template", "UserBaseDn")]
    [InlineData("filter without {0}", "UserFilter")]
    [InlineData("http URL", "Url")]
    [InlineData("zero timeout", "Timeout")]
    public void Problems_NameWhatIsWrong(string what, string named)
    {
        var options = what switch
        {
            "BindDn without BindPassword" => Valid with { BindDn = "cn=reader,dc=example,dc=org" },
            "StartTLS on ldaps" => Valid with { Url = "ldaps://ldap.example.org", UseStartTls = true },
            "CA without TLS" => Valid with { TrustedCaFile = "/etc/ssl/ca.pem" },
            "no base DN nor template" => Valid with { UserBaseDn = null },
            "filter without {0}" => Valid with { UserFilter = "(objectClass=posixAccount)" },
            "http URL" => Valid with { Url = "http://ldap.example.org" },
            "zero timeout" => Valid with { Timeout = TimeSpan.Zero },
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        Assert.Contains(options.Problems(), problem => problem.Contains(named, StringComparison.Ordinal));
        var refused = Assert.Throws<InvalidOperationException>(() => new LdapAuthProvider(options, NullLogger<LdapAuthProvider>.Instance));
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_NeverQuoteTheServicePassword()
    {
        var options = Valid with { BindPassword = "hunter2" };

        Assert.DoesNotContain(options.Problems(), problem => problem.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public void ToString_ShowsTheSettings_ButNotTheServicePassword()
    {
        var printed = (Valid with { BindDn = "cn=reader,dc=example,dc=org", BindPassword = "hunter2" }).ToString();

        Assert.Contains("cn=reader,dc=example,dc=org", printed, StringComparison.Ordinal);
        Assert.Contains("ldap://ldap.example.org", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", printed, StringComparison.Ordinal);
    }
}
