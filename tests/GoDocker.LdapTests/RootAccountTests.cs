using System.DirectoryServices.Protocols;
using System.Net;
using GoDocker.LdapTests.Infrastructure;
using static GoDocker.LdapTests.Infrastructure.SeededDirectory;

namespace GoDocker.LdapTests;

/// <summary>A directory entry with uidNumber 0 (root) is not a user of the site: its jobs would run as root without a grant.</summary>
public sealed class RootAccountTests(Slapd slapd) : LdapTest(slapd)
{
    private const string Toor = "toor";
    private const string ToorPassword = "toor-secret";

    [Fact]
    public async Task Authenticate_AnEntryWithUidNumber0_GivesNull_AndSaysWhy()
    {
        AddRootEntry();

        var identity = await Provider().AuthenticateAsync(Toor, ToorPassword, Ct);

        Assert.Null(identity);
        Assert.Contains(Log.Lines, line => line.Contains("uid=toor", StringComparison.Ordinal) && line.Contains("uidNumber 0", StringComparison.Ordinal));
    }

    /// <summary>Added as the directory's rootdn (scripts/slapd.sh), once per directory.</summary>
    private void AddRootEntry()
    {
        using var connection = new LdapConnection(new LdapDirectoryIdentifier("127.0.0.1", Slapd.Port))
        {
            AuthType = AuthType.Basic,
            Credential = new NetworkCredential("cn=admin," + Suffix, "admin-secret"),
        };
        connection.SessionOptions.ProtocolVersion = 3;
        connection.Bind();
        var add = new AddRequest($"uid={Toor},{People}",
            new DirectoryAttribute("objectClass", "inetOrgPerson", "posixAccount"),
            new DirectoryAttribute("uid", Toor), new DirectoryAttribute("cn", "Toor"), new DirectoryAttribute("sn", "Toor"),
            new DirectoryAttribute("uidNumber", "0"), new DirectoryAttribute("gidNumber", "0"),
            new DirectoryAttribute("homeDirectory", "/root"), new DirectoryAttribute("userPassword", ToorPassword));
        try
        {
            connection.SendRequest(add);
        }
        catch (DirectoryOperationException e) when (e.Response?.ResultCode == ResultCode.EntryAlreadyExists)
        {
        }
    }
}
