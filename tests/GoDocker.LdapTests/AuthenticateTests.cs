using System.DirectoryServices.Protocols;
using System.Net;
using GoDocker.LdapTests.Infrastructure;
using static GoDocker.LdapTests.Infrastructure.SeededDirectory;

namespace GoDocker.LdapTests;

public sealed class AuthenticateTests(Slapd slapd) : LdapTest(slapd)
{
    [Fact]
    public async Task Authenticate_RightPassword_GivesTheIdentityFromTheDirectory()
    {
        var alice = await Provider().AuthenticateAsync(Alice, AlicePassword, Ct);

        Assert.NotNull(alice);
        Assert.Equal((Alice, 2001, 2001, "/home/alice", "alice@godocker.test"), (alice.Login, alice.Uid, alice.Gid, alice.Home, alice.Email));
        Assert.Contains("genomics", alice.Groups);
        Assert.Equal(["alice", "genomics", "users"], alice.Groups);
        Assert.Contains(3001, alice.SecondaryGids);
        Assert.Equal([100, 3001], alice.SecondaryGids);
    }

    [Fact]
    public async Task Authenticate_WrongPassword_GivesNull()
    {
        Assert.Null(await Provider().AuthenticateAsync(Alice, "not-" + AlicePassword, Ct));
    }

    [Fact]
    public async Task Authenticate_UnknownUser_GivesNull()
    {
        Assert.Null(await Provider().AuthenticateAsync("zoe", AlicePassword, Ct));
    }

    [Fact]
    public async Task Authenticate_AnotherUsersPassword_GivesNull()
    {
        Assert.Null(await Provider().AuthenticateAsync(Alice, BobPassword, Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\0")]
    [InlineData("\0" + AlicePassword)]
    public async Task Authenticate_EmptyPassword_GivesNull_ThoughTheDirectoryTakesItAsAnAnonymousBind(string password)
    {
        // The trap is live: this directory answers a DN with an empty password ("unauthenticated bind") with success.
        using (var raw = new LdapConnection(new LdapDirectoryIdentifier("127.0.0.1", Slapd.Port), null, AuthType.Basic))
        {
            raw.SessionOptions.ProtocolVersion = 3;
            raw.Bind(new NetworkCredential(AliceDn, ""));
        }

        Assert.Null(await Provider().AuthenticateAsync(Alice, password, Ct));
        Assert.Null(await Provider(Slapd.Options() with { UserDnTemplate = "uid={0}," + People, UserBaseDn = null }).AuthenticateAsync(Alice, password, Ct));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("ali*")]
    [InlineData("*lice")]
    [InlineData("alice)(uid=*")]
    [InlineData("*)(uid=*))(|(uid=*")]
    [InlineData("alice\\")]
    [InlineData("alice\0")]
    [InlineData("alice)")]
    public async Task Authenticate_FilterSyntaxInTheLogin_MatchesNobody(string login)
    {
        // Unescaped, "ali*" or "alice)(uid=*" would find alice, and her password would let them in.
        Assert.Null(await Provider().AuthenticateAsync(login, AlicePassword, Ct));
        Assert.Null(await Provider(Slapd.Options() with { BindDn = null, BindPassword = null }).AuthenticateAsync(login, AlicePassword, Ct));
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("#x")]
    [InlineData("a=b")]
    [InlineData("x,y")]
    [InlineData("x+y")]
    [InlineData("\"quoted\"")]
    [InlineData("éloïse")]
    [InlineData("line\nbreak")]
    [InlineData("\\")]
    public async Task Authenticate_OddLogins_GiveNull_NotFaults(string login)
    {
        Assert.Null(await Provider().AuthenticateAsync(login, AlicePassword, Ct));
        Assert.Null(await Provider().AuthenticateAsync(login + new string('x', 5000), AlicePassword, Ct));
        Assert.Null(await Provider(Slapd.Options() with { UserDnTemplate = "uid={0}," + People, UserBaseDn = null }).AuthenticateAsync(login, AlicePassword, Ct));
        Assert.Null(await Provider().FindAsync(login, Ct));
    }

    [Fact]
    public async Task Authenticate_LoginInAnotherCase_GivesTheLoginAsTheDirectorySpellsIt()
    {
        var alice = await Provider().AuthenticateAsync("ALICE", AlicePassword, Ct);

        Assert.Equal(Alice, alice?.Login);
    }

    [Fact]
    public async Task Authenticate_WithAnonymousSearch_GivesTheSameIdentity()
    {
        var anonymous = Provider(Slapd.Options() with { BindDn = null, BindPassword = null });

        var alice = await anonymous.AuthenticateAsync(Alice, AlicePassword, Ct);

        Assert.Equal(await Provider().AuthenticateAsync(Alice, AlicePassword, Ct), alice, IdentityComparer.Instance);
        Assert.Null(await anonymous.AuthenticateAsync(Alice, "wrong", Ct));
    }

    [Fact]
    public async Task Authenticate_ByDnTemplate_BindsAsTheUserWithoutSearching()
    {
        var direct = Provider(Slapd.Options() with { UserDnTemplate = "uid={0}," + People, UserBaseDn = null, BindDn = null, BindPassword = null });

        var alice = await direct.AuthenticateAsync(Alice, AlicePassword, Ct);

        Assert.Equal((2001, 2001, "/home/alice"), (alice?.Uid, alice?.Gid, alice?.Home));
        Assert.Equal([100, 3001], alice?.SecondaryGids);
        Assert.Null(await direct.AuthenticateAsync(Alice, "wrong", Ct));
        Assert.Null(await direct.AuthenticateAsync("zoe", AlicePassword, Ct));
        // Escaped as a DN value: not uid=alice with an extra RDN.
        Assert.Null(await direct.AuthenticateAsync("alice,ou=people", AlicePassword, Ct));
        Assert.Null(await direct.AuthenticateAsync("*", AlicePassword, Ct));
    }

    [Fact]
    public async Task Authenticate_PersonWithoutPosixAttributes_GivesNull()
    {
        // With the default filter dave is not even found (not a posixAccount); with a looser one he is, and binds.
        Assert.Null(await Provider().AuthenticateAsync(Dave, DavePassword, Ct));

        var loose = Provider(Slapd.Options() with { UserFilter = "(uid={0})" });

        Assert.Null(await loose.AuthenticateAsync(Dave, DavePassword, Ct));
        Assert.Contains(Log.Lines, line => line.Contains("uid=dave", StringComparison.Ordinal) && line.Contains("uidNumber", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Authenticate_GroupsFromMemberOf_AreNamedToo()
    {
        var bob = await Provider().AuthenticateAsync(Bob, BobPassword, Ct);

        Assert.Equal(["admins", "bob", "users"], bob?.Groups);
        Assert.Equal([100], bob?.SecondaryGids);
    }

    [Fact]
    public async Task Authenticate_WithoutGroupBaseDnOrMemberOf_GivesNoGroups()
    {
        var bob = await Provider(Slapd.Options() with { GroupBaseDn = null, UseMemberOf = false }).AuthenticateAsync(Bob, BobPassword, Ct);

        Assert.Equal((2002, 2002), (bob?.Uid, bob?.Gid));
        Assert.Empty(bob!.Groups);
        Assert.Empty(bob.SecondaryGids);
    }

    [Fact]
    public async Task Authenticate_LoginMatchingSeveralEntries_GivesNull_AndSaysWhy()
    {
        var ambiguous = Provider(Slapd.Options() with { UserFilter = "(|(uid={0})(objectClass=posixAccount))" });

        Assert.Null(await ambiguous.AuthenticateAsync(Alice, AlicePassword, Ct));
        Assert.Contains(Log.Lines, line => line.Contains("several", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Authenticate_NeverLogsOrReportsThePassword()
    {
        const string secret = "s3cret-that-must-not-appear";
        await Provider().AuthenticateAsync(Alice, secret, Ct);
        await Provider().AuthenticateAsync("zoe", secret, Ct);
        await Provider(Slapd.Options() with { UserFilter = "(uid={0})" }).AuthenticateAsync(Dave, secret, Ct);
        await Provider(Slapd.Options() with { UserFilter = "(|(uid={0})(objectClass=posixAccount))" }).AuthenticateAsync(Alice, secret, Ct);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Provider(Slapd.Options() with { BindPassword = secret }).AuthenticateAsync(Alice, secret, Ct).AsTask());

        Assert.NotEmpty(Log.Lines);
        Assert.DoesNotContain(Log.Lines, line => line.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(secret, refused.ToString(), StringComparison.Ordinal);
    }
}
