using GoDocker.LdapTests.Infrastructure;
using static GoDocker.LdapTests.Infrastructure.SeededDirectory;

namespace GoDocker.LdapTests;

public sealed class FindTests(Slapd slapd) : LdapTest(slapd)
{
    [Fact]
    public async Task Find_WithTheServiceAccount_GivesTheIdentityWithoutAPassword()
    {
        var alice = await Provider().FindAsync(Alice, Ct);

        Assert.Equal((Alice, 2001, 2001, "/home/alice", "alice@godocker.test"), (alice?.Login, alice?.Uid, alice?.Gid, alice?.Home, alice?.Email));
        Assert.Equal(["alice", "genomics", "users"], alice?.Groups);
        Assert.Equal([100, 3001], alice?.SecondaryGids);
    }

    [Fact]
    public async Task Find_WithAnonymousSearch_GivesTheSameIdentity()
    {
        var alice = await Provider(Slapd.Options() with { BindDn = null, BindPassword = null }).FindAsync(Alice, Ct);

        Assert.Equal(await Provider().FindAsync(Alice, Ct), alice, IdentityComparer.Instance);
        Assert.NotNull(alice);
    }

    [Fact]
    public async Task Find_GivesWhatAuthenticateGives()
    {
        var provider = Provider();

        Assert.Equal(await provider.AuthenticateAsync(Bob, BobPassword, Ct), await provider.FindAsync(Bob, Ct), IdentityComparer.Instance);
    }

    [Theory]
    [InlineData("zoe")]
    [InlineData("")]
    [InlineData("ali*")]
    [InlineData("alice)(uid=*")]
    [InlineData(Dave)]
    public async Task Find_UnknownUser_GivesNull(string login)
    {
        Assert.Null(await Provider().FindAsync(login, Ct));
    }

    [Fact]
    public async Task Find_WithOnlyADnTemplate_ReadsThatEntry()
    {
        var direct = Provider(Slapd.Options() with { UserDnTemplate = "uid={0}," + People, UserBaseDn = null, BindDn = null, BindPassword = null });

        Assert.Equal(2001, (await direct.FindAsync(Alice, Ct))?.Uid);
        Assert.Null(await direct.FindAsync("zoe", Ct));
        Assert.Null(await direct.FindAsync("alice,ou=people", Ct));
    }
}
