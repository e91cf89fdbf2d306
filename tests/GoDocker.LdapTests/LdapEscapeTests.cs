using GoDocker.Server.Auth.Ldap;

namespace GoDocker.LdapTests;

public sealed class LdapEscapeTests
{
    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("*", @"\2a")]
    [InlineData("alice)(uid=*", @"alice\29\28uid=\2a")]
    [InlineData(@"a\b", @"a\5cb")]
    [InlineData("a\0b", @"a\00b")]
    [InlineData("josé o'neil-1.2", "josé o'neil-1.2")]
    public void FilterValue_EscapesTheFiveRfc4515Characters_AndNothingElse(string value, string escaped)
    {
        Assert.Equal(escaped, LdapEscape.FilterValue(value));
    }

    [Theory]
    [InlineData("alice", "alice")]
    [InlineData("alice,ou=people", @"alice\,ou\=people")]
    [InlineData("a+b", @"a\+b")]
    [InlineData(@"a\b", @"a\\b")]
    [InlineData("\"<;>\"", "\\\"\\<\\;\\>\\\"")]
    [InlineData(" lead", @"\ lead")]
    [InlineData("trail ", @"trail\ ")]
    [InlineData("#hash", @"\#hash")]
    [InlineData("mid # dle", "mid # dle")]
    [InlineData("a\0b", @"a\00b")]
    public void DnValue_EscapesWhatRfc4514Requires(string value, string escaped)
    {
        Assert.Equal(escaped, LdapEscape.DnValue(value));
    }

    [Theory]
    [InlineData("cn=admins,ou=groups,dc=godocker,dc=test", "admins")]
    [InlineData(@"cn=a\,b,ou=groups", "a,b")]
    [InlineData(@"cn=caf\c3\a9,ou=groups", "café")]
    [InlineData("cn=solo", "solo")]
    [InlineData("cn=x+uid=y,ou=groups", "x")]
    [InlineData("no equals sign", null)]
    [InlineData("cn=,ou=groups", null)]
    public void FirstRdnValue_IsTheUnescapedValueOfTheFirstRdn(string dn, string? value)
    {
        Assert.Equal(value, LdapEscape.FirstRdnValue(dn));
    }
}
